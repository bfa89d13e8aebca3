"""Property: a residential home registered to the child or a guardian, and where it is."""

from __future__ import annotations

from sunshine.engine.checks.certificate import parse_certificate_no
from sunshine.engine.checks.common import (
    CheckContext,
    RecordKind,
    address_facts,
    address_review,
    declared_address_agrees,
    guardian_indexes,
    normalise_id,
    unavailable,
)
from sunshine.engine.checks.departments import DepartmentRecords, DepartmentUnavailable
from sunshine.engine.checks.results import CheckName, CheckResult, JSONValue, ReasonCode, conclude
from sunshine.engine.records import Declaration, PropertyRecord

FIELD = "property_certificate_no"


def is_residential(use: str) -> bool:
    """Registered uses such as 住宅, 成套住宅 or 城镇住宅用地/住宅; not 非住宅, 商业, 车库."""
    return "住宅" in use and "非住宅" not in use


def _ownership(declaration: Declaration, record: PropertyRecord) -> tuple[list[int], bool]:
    owners = {owner.id_number for owner in record.owners}
    child = normalise_id(declaration.child_id_number)
    owned_by_child = any(normalise_id(owner) == child for owner in owners)
    return guardian_indexes(declaration, owners), owned_by_child


def check_property(
    declaration: Declaration, records: DepartmentRecords, context: CheckContext
) -> CheckResult:
    """The declared certificate: well formed, registered, residential, the family's, placed.

    The number's form is checked before the register is asked anything.
    """
    check = CheckName.PROPERTY
    certificate = parse_certificate_no(
        declaration.property_certificate_no or "", reference_date=context.reference_date
    )
    if certificate is None:
        return conclude(check, ReasonCode.PROPERTY_CERTIFICATE_FORMAT, field=FIELD)
    try:
        record = records.property(str(certificate))
    except DepartmentUnavailable as error:
        return unavailable(check, error)
    if record is None:
        return conclude(check, ReasonCode.PROPERTY_NOT_FOUND, field=FIELD)
    if not is_residential(record.use):
        return conclude(
            check, ReasonCode.PROPERTY_NOT_RESIDENTIAL, field=FIELD, words={"use": record.use}
        )
    owner_guardians, owned_by_child = _ownership(declaration, record)
    if not owner_guardians and not owned_by_child:
        return conclude(check, ReasonCode.PROPERTY_OWNER_NOT_GUARDIAN, field=FIELD)
    resolution = context.gazetteer.resolve(record.address)
    facts: dict[str, JSONValue] = {
        "address": address_facts(resolution),
        "owner_guardians": list[JSONValue](owner_guardians),
        "owned_by_child": owned_by_child,
        "registration_date": record.registration_date.isoformat(),
        "use": record.use,
    }
    review = address_review(check, resolution, RecordKind.PROPERTY, facts, must_resolve=True)
    if review is not None:
        return review
    declared = declaration.property_address
    if declared and not declared_address_agrees(declared, resolution, context.gazetteer):
        code = ReasonCode.PROPERTY_ADDRESS_MISMATCH
        return conclude(check, code, field="property_address", facts=facts)
    return conclude(check, ReasonCode.PROPERTY_VERIFIED, facts=facts)
