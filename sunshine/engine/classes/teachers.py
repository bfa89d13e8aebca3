"""Head teachers drawn to classes by the public lottery, after the class lists are frozen.

The published entry list is the teacher IDs in the order given. The lottery's ``draw``
permutes it with the recorded seed; the teacher drawn k-th (lottery number k) takes
the k-th class of the published class list. Anyone holding both lists and the seed
re-runs ``draw`` and gets the same assignment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sunshine.engine.lottery import ALGORITHM as LOTTERY_ALGORITHM
from sunshine.engine.lottery import draw, entry_list_hash, validate_entries


class TeacherDrawError(ValueError):
    """The class or teacher lists cannot be drawn as given."""


@dataclass(frozen=True)
class TeacherDraw:
    """Who teaches which class, with everything needed to recompute it."""

    class_ids: tuple[str, ...]  # published class order
    teacher_ids: tuple[str, ...]  # published entry list, in its published order
    entry_list_sha256: str  # the lottery's hash of the teacher list
    seed: bytes
    drawn_order: tuple[str, ...]  # teachers in drawn order
    teacher_of: Mapping[str, str]  # class ID -> teacher ID
    algorithm: str = LOTTERY_ALGORITHM


def _validated(ids: Sequence[str], what: str) -> tuple[str, ...]:
    try:
        return validate_entries(ids)
    except ValueError as problem:
        raise TeacherDrawError(f"{what}: {problem}") from problem


def draw_teachers(class_ids: Sequence[str], teacher_ids: Sequence[str], seed: bytes) -> TeacherDraw:
    """One head teacher per class, drawn by the lottery over ``teacher_ids`` with ``seed``."""
    classes = _validated(class_ids, "class list")
    teachers = _validated(teacher_ids, "teacher list")
    if not classes:
        raise TeacherDrawError("there are no classes to draw teachers for")
    if len(classes) != len(teachers):
        raise TeacherDrawError(
            f"{len(classes)} classes but {len(teachers)} teachers; the draw needs one each"
        )
    result = draw(teachers, seed)
    return TeacherDraw(
        class_ids=classes,
        teacher_ids=teachers,
        entry_list_sha256=entry_list_hash(teachers),
        seed=seed,
        drawn_order=result.order,
        teacher_of=MappingProxyType(dict(zip(classes, result.order, strict=True))),
    )
