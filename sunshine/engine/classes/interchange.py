"""Published files of a placement: its pupils, its must-separate pairs and its classes.

``pupils.csv``: ``pupil_id,sex,birth_month,special_needs,twin_group,twins_together``
then one ``score:<subject>`` column per subject (an empty cell: no score); flags are
0 or 1; rows in pupil ID order. ``pairs.csv``: ``first,second``. ``classes.csv``:
``class,pupil_id`` with classes numbered from 1 in the placement's order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sunshine.engine.classes.model import Placement, PlacementError, Pupil

_FIELDS = ["pupil_id", "sex", "birth_month", "special_needs", "twin_group", "twins_together"]
_SCORE = "score:"


def _csv_text(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def pupils_to_csv(pupils: Sequence[Pupil]) -> str:
    subjects = sorted({subject for pupil in pupils for subject in pupil.scores})
    rows: list[list[object]] = [[*_FIELDS, *(_SCORE + subject for subject in subjects)]]
    for pupil in sorted(pupils, key=lambda p: p.pupil_id):
        rows.append(
            [
                pupil.pupil_id,
                pupil.sex,
                pupil.birth_month,
                int(pupil.special_needs),
                pupil.twin_group or "",
                int(pupil.twins_together),
                *(repr(pupil.scores[s]) if s in pupil.scores else "" for s in subjects),
            ]
        )
    return _csv_text(rows)


def _flag(value: str, line: int, name: str) -> bool:
    if value not in ("0", "1"):
        raise PlacementError(f"pupils.csv line {line}: {name} must be 0 or 1, not {value!r}")
    return value == "1"


def _pupil(row: dict[str, str], line: int) -> Pupil:
    try:
        birth_month = int(row["birth_month"])
        scores = {
            name.removeprefix(_SCORE): float(value)
            for name, value in row.items()
            if name.startswith(_SCORE) and value != ""
        }
    except ValueError as problem:
        raise PlacementError(f"pupils.csv line {line}: {problem}") from problem
    sex = row["sex"]
    if sex not in ("M", "F"):
        raise PlacementError(f"pupils.csv line {line}: sex must be M or F, not {sex!r}")
    return Pupil(
        pupil_id=row["pupil_id"],
        sex="M" if sex == "M" else "F",
        birth_month=birth_month,
        scores=scores,
        special_needs=_flag(row["special_needs"], line, "special_needs"),
        twin_group=row["twin_group"] or None,
        twins_together=_flag(row["twins_together"], line, "twins_together"),
    )


def pupils_from_csv(text: str) -> list[Pupil]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in _FIELDS if name not in (reader.fieldnames or [])]
    if missing:
        raise PlacementError(f"pupils.csv lacks the columns {', '.join(missing)}")
    return [_pupil(row, line) for line, row in enumerate(reader, start=2)]


def pairs_to_csv(pairs: Sequence[tuple[str, str]]) -> str:
    return _csv_text([("first", "second"), *pairs])


def pairs_from_csv(text: str) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["first", "second"]:
        raise PlacementError("pairs.csv must start with the header first,second")
    return [(row[0], row[1]) for row in rows[1:] if row]


def classes_to_csv(placement: Placement) -> str:
    rows: list[tuple[object, ...]] = [("class", "pupil_id")]
    for number, members in enumerate(placement.classes, start=1):
        rows.extend((number, pupil_id) for pupil_id in members)
    return _csv_text(rows)
