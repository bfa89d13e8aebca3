"""The questions checks ask the departments, as one small contract.

Connectors (batch tables, online HTTP) implement ``DepartmentRecords``; a
connector that cannot get an answer raises ``DepartmentUnavailable`` and the
check ends in manual review marked retryable, never as a failure of the family.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from sunshine.engine.checks.certificate import canonical_certificate_no
from sunshine.engine.records import (
    BirthRecord,
    HukouRecord,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)


class Department(StrEnum):
    POLICE = "police"
    BIRTH_REGISTRATION = "birth_registration"
    REAL_ESTATE = "real_estate"
    HOUSING = "housing"
    SOCIAL_INSURANCE = "social_insurance"

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_LABELS = {
    Department.POLICE: ("公安户籍系统", "police household register"),
    Department.BIRTH_REGISTRATION: ("出生医学证明系统", "birth registration"),
    Department.REAL_ESTATE: ("不动产登记系统", "real-estate register"),
    Department.HOUSING: ("住建房屋租赁备案系统", "housing rental register"),
    Department.SOCIAL_INSURANCE: ("人社社保系统", "social-insurance register"),
}


class DepartmentUnavailable(Exception):
    """A department did not answer (timeout, outage, open circuit breaker)."""

    def __init__(self, department: Department, detail: str = "") -> None:
        super().__init__(f"{department.value} unavailable{': ' + detail if detail else ''}")
        self.department = department
        self.detail = detail


class DepartmentRecords(Protocol):
    """Look-ups by key; ``None`` means the department holds no such record.

    ID numbers arrive normalised (``idnumber.normalise``) and certificate
    numbers in canonical form (``certificate.canonical_certificate_no``).
    Residence permits are issued by the police, so ``residence_permit`` raises
    ``DepartmentUnavailable(Department.POLICE)`` when it cannot answer.
    """

    def hukou(self, id_number: str) -> HukouRecord | None: ...

    def birth(self, child_id_number: str) -> BirthRecord | None: ...

    def property(self, certificate_no: str) -> PropertyRecord | None: ...

    def rental(self, registration_no: str) -> RentalRecord | None: ...

    def social_insurance(self, id_number: str) -> SocialInsuranceRecord | None: ...

    def residence_permit(self, permit_no: str) -> ResidencePermitRecord | None: ...


class InMemoryDepartments:
    """``DepartmentRecords`` over records held in memory, for tests and the demo."""

    def __init__(
        self,
        *,
        hukou: Iterable[HukouRecord] = (),
        births: Iterable[BirthRecord] = (),
        properties: Iterable[PropertyRecord] = (),
        rentals: Iterable[RentalRecord] = (),
        social_insurance: Iterable[SocialInsuranceRecord] = (),
        residence_permits: Iterable[ResidencePermitRecord] = (),
    ) -> None:
        self._hukou = {record.id_number: record for record in hukou}
        self._births = {record.child_id_number: record for record in births}
        self._properties = {
            canonical_certificate_no(record.certificate_no): record for record in properties
        }
        self._rentals = {record.registration_no: record for record in rentals}
        self._social_insurance = {record.id_number: record for record in social_insurance}
        self._permits = {record.permit_no: record for record in residence_permits}

    def hukou(self, id_number: str) -> HukouRecord | None:
        return self._hukou.get(id_number)

    def birth(self, child_id_number: str) -> BirthRecord | None:
        return self._births.get(child_id_number)

    def property(self, certificate_no: str) -> PropertyRecord | None:
        return self._properties.get(certificate_no)

    def rental(self, registration_no: str) -> RentalRecord | None:
        return self._rentals.get(registration_no)

    def social_insurance(self, id_number: str) -> SocialInsuranceRecord | None:
        return self._social_insurance.get(id_number)

    def residence_permit(self, permit_no: str) -> ResidencePermitRecord | None:
        return self._permits.get(permit_no)
