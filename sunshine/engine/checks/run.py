"""Which checks an application needs, and running them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from sunshine.engine.checks.common import CheckContext
from sunshine.engine.checks.departments import DepartmentRecords
from sunshine.engine.checks.guardianship import check_guardianship
from sunshine.engine.checks.hukou import check_hukou
from sunshine.engine.checks.identity import check_identity
from sunshine.engine.checks.property import check_property
from sunshine.engine.checks.rental import check_rental
from sunshine.engine.checks.residence_permit import check_residence_permit
from sunshine.engine.checks.results import CheckName, CheckResult
from sunshine.engine.checks.social_insurance import check_social_insurance
from sunshine.engine.records import Declaration

CheckFunction = Callable[[Declaration, DepartmentRecords, CheckContext], CheckResult]

CHECKS: Mapping[CheckName, CheckFunction] = {
    CheckName.IDENTITY: check_identity,
    CheckName.GUARDIANSHIP: check_guardianship,
    CheckName.HUKOU: check_hukou,
    CheckName.PROPERTY: check_property,
    CheckName.RENTAL: check_rental,
    CheckName.SOCIAL_INSURANCE: check_social_insurance,
    CheckName.RESIDENCE_PERMIT: check_residence_permit,
}


def applicable_checks(declaration: Declaration) -> tuple[CheckName, ...]:
    """Identity, guardianship and hukou always; the others when the family declared them.

    Social insurance is asked about for families who declare a rental or a
    residence permit, the families whose category depends on it.
    """
    names = [CheckName.IDENTITY, CheckName.GUARDIANSHIP, CheckName.HUKOU]
    if declaration.property_certificate_no:
        names.append(CheckName.PROPERTY)
    if declaration.rental_registration_no:
        names.append(CheckName.RENTAL)
    if declaration.rental_registration_no or declaration.residence_permit_no:
        names.append(CheckName.SOCIAL_INSURANCE)
    if declaration.residence_permit_no:
        names.append(CheckName.RESIDENCE_PERMIT)
    return tuple(names)


def run_checks(
    declaration: Declaration,
    records: DepartmentRecords,
    context: CheckContext,
    *,
    only: Iterable[CheckName] | None = None,
) -> tuple[CheckResult, ...]:
    """Run the applicable checks (or those of ``only`` among them), each on its own.

    A department outage ends only the checks that needed it, as retryable
    manual reviews; the others still conclude.
    """
    wanted = applicable_checks(declaration)
    if only is not None:
        chosen = set(only)
        wanted = tuple(name for name in wanted if name in chosen)
    return tuple(CHECKS[name](declaration, records, context) for name in wanted)
