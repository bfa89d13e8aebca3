"""Department connectors. The batch connector answers from imported extracts.

Every question asked is remembered as a ``Query`` (department, what was
asked, hashes of request and response, outcome) so the service can write it
to the audit log with the application it was asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sunshine.engine.checks import Department, DepartmentUnavailable
from sunshine.engine.checks.certificate import canonical_certificate_no
from sunshine.engine.idnumber import normalise
from sunshine.engine.records import (
    BirthRecord,
    Declaration,
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

    ``unavailable`` names departments that are down; their questions raise
    ``DepartmentUnavailable`` as an online outage would. ``preload`` fetches a
    batch's records in a few queries; each application's questions are then
    answered from memory and each distinct question is logged once.
    """

    unavailable: frozenset[str] = frozenset()
    queries: list[Query] = field(default_factory=list)
    fetch: Callable[[str, str], str | None] | None = None
    _preloaded: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _asked: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def take_queries(self) -> list[Query]:
        """The questions asked since the last call; the next application starts afresh."""
        taken, self.queries = self.queries, []
        self._asked = {}
        return taken

    def preload(self, declarations: Iterable[Declaration]) -> None:
        wanted: dict[str, set[str]] = {}
        for declaration in declarations:
            for kind, key in _keys_of(declaration):
                wanted.setdefault(kind, set()).add(key_index(kind, key))
        self._preloaded = {
            (kind, index): None for kind, indexes in wanted.items() for index in indexes
        }
        for kind, indexes in wanted.items():
            rows = DepartmentRecord.objects.filter(kind=kind, key_index__in=indexes)
            for index, payload in rows.values_list("key_index", "payload_json"):
                self._preloaded[(kind, index)] = payload

    def _ask(self, kind: RecordKind, key: str) -> Any:
        department = DEPARTMENT_OF[kind]
        request = f"{kind}:{key}"
        if department.value in self.unavailable:
            self.queries.append(
                Query(department.value, kind.value, _sha256(request), "", "unavailable")
            )
            raise DepartmentUnavailable(department, "marked unavailable")
        asked = (kind.value, key)
        if asked not in self._asked:
            self._asked[asked] = self._payload(kind.value, key)
            payload = self._asked[asked]
            self.queries.append(
                Query(
                    department.value,
                    kind.value,
                    _sha256(request),
                    _sha256(payload or ""),
                    "found" if payload else "not_found",
                )
            )
        payload = self._asked[asked]
        return from_json(kind, payload) if payload else None

    def _payload(self, kind: str, key: str) -> str | None:
        preloaded = (kind, key_index(kind, key))
        if preloaded in self._preloaded:
            return self._preloaded[preloaded]
        return (self.fetch or _from_table)(kind, key)

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


def _keys_of(declaration: Declaration) -> Iterator[tuple[str, str]]:
    yield RecordKind.HUKOU, declaration.child_id_number
    yield RecordKind.BIRTH, declaration.child_id_number
    for guardian in declaration.guardians:
        yield RecordKind.HUKOU, guardian.id_number
        yield RecordKind.SOCIAL_INSURANCE, guardian.id_number
    if declaration.property_certificate_no:
        yield RecordKind.PROPERTY, declaration.property_certificate_no
    if declaration.rental_registration_no:
        yield RecordKind.RENTAL, declaration.rental_registration_no
    if declaration.residence_permit_no:
        yield RecordKind.RESIDENCE_PERMIT, declaration.residence_permit_no


def _from_table(kind: str, key: str) -> str | None:
    row = DepartmentRecord.objects.filter(kind=kind, key_index=key_index(kind, key)).first()
    return row.payload_json if row else None
