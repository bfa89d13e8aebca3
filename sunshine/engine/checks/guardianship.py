"""Guardianship: the birth registration or the household register links each guardian to the child.

A birth registration names the father and mother. The household register links
people through their relation to the head of one household: the head and the
spouse are the parents of the head's children and the grandparents of the
head's grandchildren, and the head's own parents are the grandparents of the
head's children. Any other link (an uncle as head, say) proves nothing, and a
guardian declared as 其他监护人 needs a legal document reviewed by staff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sunshine.engine import idnumber
from sunshine.engine.checks.common import (
    RELATIONS_EN,
    CheckContext,
    guardian_field,
    guardian_words,
    normalise_id,
    parse_id,
    same_id,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import (
    CheckName,
    CheckResult,
    JSONValue,
    ReasonCode,
    conclude,
)
from sunshine.engine.records import BirthRecord, Declaration, HukouRecord

OTHER_GUARDIAN = "其他监护人"
_MALE_RELATIONS = ("父亲", "祖父", "外祖父")
_PARENTS = frozenset({"父亲", "母亲"})
_GRANDPARENTS = frozenset({"祖父", "祖母", "外祖父", "外祖母"})

HEAD_AND_SPOUSE = frozenset({"户主", "配偶", "妻", "夫"})
CHILDREN_OF_HEAD = frozenset(
    {"子", "女", "长子", "次子", "三子", "长女", "次女", "三女", "独生子", "独生女"}
    | {"养子", "养女", "继子", "继女"}
)
GRANDCHILDREN_OF_HEAD = frozenset({"孙子", "孙女", "外孙子", "外孙女"})
PARENTS_OF_HEAD = frozenset({"父", "母", "父亲", "母亲"})


@dataclass(frozen=True, slots=True)
class _Link:
    """How the records relate a guardian to the child, as the relations they allow."""

    via: str
    allowed: frozenset[str]


def household_relation(child: HukouRecord, guardian: HukouRecord) -> frozenset[str]:
    """Declared relations the household register supports (empty when it proves none)."""
    if child.household_head_id != guardian.household_head_id:
        return frozenset()
    child_role, guardian_role = child.relation_to_head, guardian.relation_to_head
    if guardian_role in HEAD_AND_SPOUSE and child_role in CHILDREN_OF_HEAD:
        return _PARENTS
    if guardian_role in HEAD_AND_SPOUSE and child_role in GRANDCHILDREN_OF_HEAD:
        return _GRANDPARENTS
    if guardian_role in PARENTS_OF_HEAD and child_role in CHILDREN_OF_HEAD:
        return _GRANDPARENTS
    return frozenset()


def _by_sex(relations: frozenset[str], id_number: str) -> frozenset[str]:
    """Keep the relations that fit the sex encoded in the guardian's ID number."""
    try:
        sex = parse_id(id_number).sex
    except idnumber.InvalidIdNumber:
        return relations
    male = sex is idnumber.Sex.MALE
    return frozenset(r for r in relations if (r in _MALE_RELATIONS) == male)


def _birth_link(birth: BirthRecord | None, guardian_id: str) -> _Link | None:
    if birth is None:
        return None
    if birth.father_id_number and same_id(guardian_id, birth.father_id_number):
        return _Link("birth_registration", frozenset({"父亲"}))
    if birth.mother_id_number and same_id(guardian_id, birth.mother_id_number):
        return _Link("birth_registration", frozenset({"母亲"}))
    return None


class _Households:
    """Household records, asked for only when a birth registration does not settle it."""

    def __init__(self, records: DepartmentRecords, child_id: str) -> None:
        self._records = records
        self._child_id = child_id
        self._child: HukouRecord | None = None
        self._asked_for_child = False

    def link(self, guardian_id: str) -> _Link | None:
        if not self._asked_for_child:
            self._child = self._records.hukou(self._child_id)
            self._asked_for_child = True
        if self._child is None:
            return None
        guardian = self._records.hukou(normalise_id(guardian_id))
        if guardian is None:
            return None
        allowed = _by_sex(household_relation(self._child, guardian), guardian_id)
        return _Link("household", allowed) if allowed else None


def _found_words(allowed: frozenset[str]) -> dict[str, str | int]:
    ordered = sorted(allowed, key=list(RELATIONS_EN).index)
    return {
        "found": "或".join(ordered),
        "found_en": " or ".join(RELATIONS_EN[relation] for relation in ordered),
    }


def check_guardianship(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """Each declared guardian linked to the child, in the declared relation."""
    check = CheckName.GUARDIANSHIP
    if not declaration.guardians:
        return conclude(check, ReasonCode.NO_GUARDIAN_DECLARED, field="guardians")
    child_id = normalise_id(declaration.child_id_number)
    linked: list[int] = []
    links: list[JSONValue] = []
    problem: CheckResult | None = None
    try:
        birth = records.birth(child_id)
        households = _Households(records, child_id)
        for index, guardian in enumerate(declaration.guardians):
            if guardian.relation == OTHER_GUARDIAN:
                problem = problem or conclude(
                    check,
                    ReasonCode.GUARDIANSHIP_DOCUMENT_REQUIRED,
                    field=guardian_field(index, "relation"),
                    words=guardian_words(declaration, index),
                )
                continue
            link = _birth_link(birth, guardian.id_number) or households.link(guardian.id_number)
            if link is None:
                problem = problem or conclude(
                    check,
                    ReasonCode.GUARDIAN_NOT_LINKED,
                    field=guardian_field(index, "id_number"),
                    words=guardian_words(declaration, index),
                )
            elif guardian.relation not in link.allowed:
                problem = problem or conclude(
                    check,
                    ReasonCode.GUARDIAN_RELATION_MISMATCH,
                    field=guardian_field(index, "relation"),
                    words={**guardian_words(declaration, index), **_found_words(link.allowed)},
                )
            else:
                linked.append(index)
                links.append({"guardian": index, "via": link.via})
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    facts: dict[str, JSONValue] = {"linked_guardians": list[JSONValue](linked), "links": links}
    if problem is not None:
        return replace(problem, facts=facts)
    return conclude(check, ReasonCode.GUARDIANSHIP_VERIFIED, facts=facts)
