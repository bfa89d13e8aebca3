"""Pieces every check shares: who is meant, where an address points, outages."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import Enum

from sunshine.engine import idnumber
from sunshine.engine.address import Gazetteer, Resolution, ResolutionStatus, normalise
from sunshine.engine.checks.departments import DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration

# A batch asks about the same people many times (every check, every guardian); these are
# pure functions of their arguments, so their answers are kept.
normalise_id = functools.lru_cache(maxsize=65536)(idnumber.normalise)
_parse_undated = functools.lru_cache(maxsize=65536)(idnumber.parse)
_FOUND_BEFORE_BIRTH_DATE = frozenset(
    {
        idnumber.IdNumberProblem.LENGTH,
        idnumber.IdNumberProblem.CHARACTERS,
        idnumber.IdNumberProblem.REGION,
        idnumber.IdNumberProblem.BIRTH_DATE,
    }
)


def parse_id(raw: str, *, today: dt.date | None = None) -> idnumber.IdNumber:
    """``idnumber.parse``, with one cached answer per number whatever ``today`` is."""
    try:
        parsed = _parse_undated(raw)
    except ValueError as error:
        if today is None or getattr(error, "problem", None) in _FOUND_BEFORE_BIRTH_DATE:
            raise
        # A birth date after today is reported before what was found later in the number.
        return idnumber.parse(raw, today=today)
    if today is not None and parsed.birth_date > today:
        raise idnumber.InvalidIdNumber(idnumber.IdNumberProblem.BIRTH_DATE)
    return parsed


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What every check may use besides the declaration and the departments."""

    reference_date: dt.date
    gazetteer: Gazetteer


RELATIONS_EN = {
    "父亲": "father",
    "母亲": "mother",
    "祖父": "paternal grandfather",
    "祖母": "paternal grandmother",
    "外祖父": "maternal grandfather",
    "外祖母": "maternal grandmother",
    "其他监护人": "other guardian",
}


def child_words() -> dict[str, str | int]:
    return {"who": "孩子", "who_en": "the child"}


def guardian_words(declaration: Declaration, index: int) -> dict[str, str | int]:
    """How messages name a guardian: by declared relation, never by name or ID number."""
    relation = declaration.guardians[index].relation
    relation_en = RELATIONS_EN.get(relation)
    if relation_en is None:
        return {"who": f"第{index + 1}位监护人", "who_en": f"guardian {index + 1}"}
    return {"who": f"监护人（{relation}）", "who_en": f"the guardian ({relation_en})"}


def guardian_field(index: int, part: str) -> str:
    return f"guardians[{index}].{part}"


def guardian_indexes(declaration: Declaration, id_numbers: set[str]) -> list[int]:
    """Positions of the declared guardians whose ID number is among ``id_numbers``."""
    wanted = {normalise_id(value) for value in id_numbers}
    return [
        index
        for index, guardian in enumerate(declaration.guardians)
        if normalise_id(guardian.id_number) in wanted
    ]


def same_id(declared: str, recorded: str) -> bool:
    return normalise_id(declared) == normalise_id(recorded)


def unavailable(check: CheckName, error: DepartmentUnavailable) -> CheckResult:
    return conclude(
        check,
        ReasonCode.DEPARTMENT_UNAVAILABLE,
        retryable=True,
        facts={"department": error.department.value},
        words={
            "department": error.department.label_zh,
            "department_en": error.department.label_en,
        },
    )


def outside_validity(
    check: CheckName,
    code: ReasonCode,
    field: str,
    on: dt.date,
    start: dt.date,
    end: dt.date,
) -> CheckResult | None:
    """The refusal for a registration not valid on the reference date, or None when it is."""
    if start <= on <= end:
        return None
    words: dict[str, str | int] = {
        "date": on.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return conclude(check, code, field=field, words=words)


class RecordKind(Enum):
    """The record an address came from, as messages name it."""

    HUKOU = ("户籍登记", "household register")
    PROPERTY = ("不动产登记", "real-estate register")
    RENTAL = ("租赁备案", "rental registration")
    RESIDENCE_PERMIT = ("居住证登记", "residence-permit record")


def address_facts(resolution: Resolution) -> dict[str, JSONValue]:
    """A resolution as stored facts: where it points, not the text it was read from."""
    return {
        "status": resolution.status.value,
        "reason": resolution.reason.value,
        "compound_id": resolution.compound_id,
        "building": resolution.building,
        "unit": resolution.unit,
        "room": resolution.room,
        "building_count": resolution.building_count,
        "candidates": list(resolution.candidates),
        "local": resolution.local,
    }


def address_review(
    check: CheckName,
    resolution: Resolution,
    kind: RecordKind,
    facts: dict[str, JSONValue],
    *,
    must_resolve: bool,
) -> CheckResult | None:
    """Manual review when a department's address cannot be placed without guessing.

    An address that names no place of this city is simply elsewhere, unless the
    record must lie in the city (``must_resolve``).
    """
    if resolution.status is ResolutionStatus.AMBIGUOUS:
        code = ReasonCode.ADDRESS_AMBIGUOUS
    elif resolution.status is ResolutionStatus.UNRESOLVED and (must_resolve or resolution.local):
        code = ReasonCode.ADDRESS_UNRESOLVED
    else:
        return None
    zh, en = kind.value
    return conclude(check, code, facts=facts, words={"record": zh, "record_en": en})


def declared_address_agrees(declared: str, recorded: Resolution, gazetteer: Gazetteer) -> bool:
    """Whether a declared address fits the department's, allowing parts left out.

    When both resolve, the compound and building must be the same, and the unit
    and room too where the declaration gives them. Otherwise the normalised
    texts must agree, one possibly omitting the leading part of the other.
    """
    said = gazetteer.resolve(declared)
    if said.dwelling is not None and recorded.dwelling is not None:
        return (
            said.compound_id == recorded.compound_id
            and said.building == recorded.building
            and said.unit in (None, recorded.unit)
            and said.room in (None, recorded.room)
        )
    said_text = normalise(declared, region=gazetteer.region)
    if not said_text:
        return False
    return recorded.normalised.endswith(said_text) or said_text.endswith(recorded.normalised)


def full_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def canonical_number(raw: str) -> str:
    """A registration or permit number without spaces and with half-width characters."""
    return normalise_id(raw)
