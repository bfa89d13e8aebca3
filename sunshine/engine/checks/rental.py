"""Rental registration: a guardian rents a home here, registered and valid on the reference date."""

from __future__ import annotations

from sunshine.engine.checks.common import (
    CheckContext,
    RecordKind,
    address_facts,
    address_review,
    canonical_number,
    full_months,
    guardian_indexes,
    outside_validity,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration

FIELD = "rental_registration_no"


def check_rental(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """The declared rental registration: found, a guardian's, valid, placed."""
    check = CheckName.RENTAL
    try:
        record = records.rental(canonical_number(declaration.rental_registration_no or ""))
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    if record is None:
        return conclude(check, ReasonCode.RENTAL_NOT_FOUND, field=FIELD)
    tenants = guardian_indexes(declaration, {record.tenant_id})
    if not tenants:
        return conclude(check, ReasonCode.RENTAL_TENANT_NOT_GUARDIAN, field=FIELD)
    on = context.reference_date
    expired = outside_validity(
        check, ReasonCode.RENTAL_NOT_VALID_ON_DATE, FIELD, on, record.start_date, record.end_date
    )
    if expired is not None:
        return expired
    resolution = context.gazetteer.resolve(record.address)
    facts: dict[str, JSONValue] = {
        "address": address_facts(resolution),
        "tenant_guardian": tenants[0],
        "start_date": record.start_date.isoformat(),
        "end_date": record.end_date.isoformat(),
        "months_registered": full_months(record.start_date, on),
    }
    review = address_review(check, resolution, RecordKind.RENTAL, facts, must_resolve=True)
    return review or conclude(check, ReasonCode.RENTAL_VERIFIED, facts=facts)
