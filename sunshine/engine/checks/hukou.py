"""Hukou: where the child's household registration is, and since when."""

from __future__ import annotations

from sunshine.engine.checks.common import (
    CheckContext,
    RecordKind,
    address_facts,
    address_review,
    declared_address_agrees,
    normalise_id,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.guardianship import GRANDCHILDREN_OF_HEAD
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration


def check_hukou(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """The child's hukou record, its address resolved, compared with the declared one.

    A hukou outside this city is verified (and simply not in any zone); one in
    the city whose address cannot be placed goes to manual review.
    """
    check = CheckName.HUKOU
    try:
        record = records.hukou(normalise_id(declaration.child_id_number))
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    if record is None:
        return conclude(check, ReasonCode.HUKOU_NOT_FOUND, field="child_id_number")
    resolution = context.gazetteer.resolve(record.address)
    facts: dict[str, JSONValue] = {
        "address": address_facts(resolution),
        "move_in_date": record.move_in_date.isoformat(),
        "with_grandparents": record.relation_to_head in GRANDCHILDREN_OF_HEAD,
    }
    review = address_review(check, resolution, RecordKind.HUKOU, facts, must_resolve=False)
    if review is not None:
        return review
    declared = declaration.hukou_address
    if declared and not declared_address_agrees(declared, resolution, context.gazetteer):
        return conclude(
            check, ReasonCode.HUKOU_ADDRESS_MISMATCH, field="hukou_address", facts=facts
        )
    return conclude(check, ReasonCode.HUKOU_VERIFIED, facts=facts)
