"""Social insurance: how many months each guardian has paid."""

from __future__ import annotations

from sunshine.engine.checks.common import CheckContext, normalise_id, unavailable
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration


def check_social_insurance(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """Months paid per guardian; found when any guardian has contributions on record.

    Every guardian is asked about, so an outage for one leaves the whole check
    to be retried rather than undercounting.
    """
    check = CheckName.SOCIAL_INSURANCE
    paid: list[JSONValue] = []
    longest = 0
    try:
        for index, guardian in enumerate(declaration.guardians):
            record = records.social_insurance(normalise_id(guardian.id_number))
            if record is not None:
                paid.append({"guardian": index, "months": record.months_paid})
                longest = max(longest, record.months_paid)
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    facts: dict[str, JSONValue] = {"months_by_guardian": paid}
    if not paid:
        return conclude(check, ReasonCode.SOCIAL_INSURANCE_NOT_FOUND, facts=facts)
    return conclude(
        check, ReasonCode.SOCIAL_INSURANCE_VERIFIED, facts=facts, words={"months": longest}
    )
