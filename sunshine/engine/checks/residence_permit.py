"""Residence permit (居住证): held by a guardian and valid on the reference date."""

from __future__ import annotations

from sunshine.engine.checks.common import (
    CheckContext,
    RecordKind,
    address_facts,
    address_review,
    canonical_number,
    guardian_indexes,
    outside_validity,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration

FIELD = "residence_permit_no"


def check_residence_permit(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """The declared permit: found, a guardian's, valid on the reference date, placed."""
    check = CheckName.RESIDENCE_PERMIT
    try:
        record = records.residence_permit(canonical_number(declaration.residence_permit_no or ""))
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    if record is None:
        return conclude(check, ReasonCode.RESIDENCE_PERMIT_NOT_FOUND, field=FIELD)
    holders = guardian_indexes(declaration, {record.id_number})
    if not holders:
        return conclude(check, ReasonCode.RESIDENCE_PERMIT_HOLDER_NOT_GUARDIAN, field=FIELD)
    expired = outside_validity(
        check,
        ReasonCode.RESIDENCE_PERMIT_NOT_VALID_ON_DATE,
        FIELD,
        context.reference_date,
        record.issued_date,
        record.valid_until,
    )
    if expired is not None:
        return expired
    resolution = context.gazetteer.resolve(record.address)
    facts: dict[str, JSONValue] = {
        "address": address_facts(resolution),
        "holder_guardian": holders[0],
        "valid_until": record.valid_until.isoformat(),
    }
    kind = RecordKind.RESIDENCE_PERMIT
    review = address_review(check, resolution, kind, facts, must_resolve=False)
    return review or conclude(check, ReasonCode.RESIDENCE_PERMIT_VERIFIED, facts=facts)
