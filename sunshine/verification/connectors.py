"""Department connectors. The batch connector answers from imported extracts.

Every question asked is remembered as a ``Query`` (department, what was
asked, hashes of request and response, outcome) so the service can write it
to the audit log with the application it was asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sunshine.engine.checks import Department, DepartmentUnavailable
from sunshine.engine.checks.certificate import canonical_certificate_no
from sunshine.engine.idnumber import normalise
from sunshine.engine.records import (
    BirthRecord,
    HukouRecord,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)
from sunshine.verification.models import DepartmentRecord, RecordKind
from sunshine.verification.records import from_json, key_index

DEPARTMENT_OF = {
    RecordKind.HUKOU: Department.POLICE,
    RecordKind.BIRTH: Department.BIRTH_REGISTRATION,
    RecordKind.PROPERTY: Department.REAL_ESTATE,
    RecordKind.RENTAL: Department.HOUSING,
    RecordKind.SOCIAL_INSURANCE: Department.SOCIAL_INSURANCE,
    RecordKind.RESIDENCE_PERMIT: Department.POLICE,
}


@dataclass(frozen=True)
class Query:
    department: str
    kind: str
    request_sha256: str
    response_sha256: str
    outcome: str  # found, not_found, unavailable


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ExtractRecords:
    """``DepartmentRecords`` over the imported department extracts (batch transport).

    ``available`` lets an operator (or a test) mark a department as down; its
    questions then raise ``DepartmentUnavailable`` as an online outage would.
    """

    unavailable: frozenset[str] = frozenset()
    queries: list[Query] = field(default_factory=list)
    fetch: Callable[[str, str], str | None] | None = None

    def take_queries(self) -> list[Query]:
        taken, self.queries = self.queries, []
        return taken

    def _ask(self, kind: RecordKind, key: str) -> Any:
        department = DEPARTMENT_OF[kind]
        request = f"{kind}:{key}"
        if department.value in self.unavailable:
            self.queries.append(
                Query(department.value, kind.value, _sha256(request), "", "unavailable")
            )
            raise DepartmentUnavailable(department, "marked unavailable")
        payload = (self.fetch or _from_table)(kind.value, key)
        self.queries.append(
            Query(
                department.value,
                kind.value,
                _sha256(request),
                _sha256(payload or ""),
                "found" if payload else "not_found",
            )
        )
        return from_json(kind, payload) if payload else None

    def hukou(self, id_number: str) -> HukouRecord | None:
        found: HukouRecord | None = self._ask(RecordKind.HUKOU, normalise(id_number))
        return found

    def birth(self, child_id_number: str) -> BirthRecord | None:
        found: BirthRecord | None = self._ask(RecordKind.BIRTH, normalise(child_id_number))
        return found

    def property(self, certificate_no: str) -> PropertyRecord | None:
        key = canonical_certificate_no(certificate_no)
        found: PropertyRecord | None = self._ask(RecordKind.PROPERTY, key)
        return found

    def rental(self, registration_no: str) -> RentalRecord | None:
        found: RentalRecord | None = self._ask(RecordKind.RENTAL, registration_no)
        return found

    def social_insurance(self, id_number: str) -> SocialInsuranceRecord | None:
        found: SocialInsuranceRecord | None = self._ask(
            RecordKind.SOCIAL_INSURANCE, normalise(id_number)
        )
        return found

    def residence_permit(self, permit_no: str) -> ResidencePermitRecord | None:
        found: ResidencePermitRecord | None = self._ask(RecordKind.RESIDENCE_PERMIT, permit_no)
        return found


def _from_table(kind: str, key: str) -> str | None:
    row = DepartmentRecord.objects.filter(kind=kind, key_index=key_index(kind, key)).first()
    return row.payload_json if row else None
