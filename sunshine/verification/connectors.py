"""Department connectors behind one contract, the engine's ``DepartmentRecords``.

The batch connector (``ExtractRecords``) answers from imported extracts; the
online one (``sunshine.verification.online.OnlineRecords``) asks the
departments over signed HTTP. Every question asked is remembered as a
``Query`` (department, what was asked, hashes of request and response,
outcome) so the service can write it to the audit log with the application it
was asked for.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import connection

from sunshine.engine.checks import Department, DepartmentRecords, DepartmentUnavailable
from sunshine.engine.records import (
    BirthRecord,
    Declaration,
    HukouRecord,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)
from sunshine.privacy.crypto import decryptor
from sunshine.verification.bulk import rows_by_ids
from sunshine.verification.models import DepartmentRecord, RecordKind
from sunshine.verification.records import from_json, key_index, key_indexer

DEPARTMENT_OF = {
    RecordKind.HUKOU: Department.POLICE,
    RecordKind.BIRTH: Department.BIRTH_REGISTRATION,
    RecordKind.PROPERTY: Department.REAL_ESTATE,
    RecordKind.RENTAL: Department.HOUSING,
    RecordKind.SOCIAL_INSURANCE: Department.SOCIAL_INSURANCE,
    RecordKind.RESIDENCE_PERMIT: Department.POLICE,
}


# The department and kind of each question as the query log writes them.
_NAMES = {kind: (department.value, kind.value) for kind, department in DEPARTMENT_OF.items()}

PURPOSE = "入学资格核验"


@dataclass(frozen=True)
class Query:
    department: str
    kind: str
    request_sha256: str
    response_sha256: str
    outcome: str  # found, not_found, unavailable, circuit_open, timeout, http_503 …
    transport: str = "batch"
    attempts: int = 1

    def as_event_data(self, purpose: str) -> dict[str, object]:
        return {
            "purpose": purpose,
            "department": self.department,
            "kind": self.kind,
            "transport": self.transport,
            "request_sha256": self.request_sha256,
            "response_sha256": self.response_sha256,
            "outcome": self.outcome,
            "attempts": self.attempts,
        }


class Connector(DepartmentRecords, Protocol):
    """A ``DepartmentRecords`` that can fetch a batch ahead and hand over its query log."""

    transport: str

    def preload(self, declarations: Iterable[Declaration]) -> None: ...

    def take_queries(self) -> list[Query]: ...


# A batch asks for each key a few times (preload, then each check); the keyed hash is the
# costly part of a look-up, and a function of the key alone.
@functools.lru_cache(maxsize=262_144)
def _cached_index(index_key: str, kind: str, key: str) -> str:
    return key_index(kind, key)


def _index(kind: str, key: str) -> str:
    return _cached_index(settings.SUNSHINE_BLIND_INDEX_KEY, kind, key)


def query_digest(text: str) -> str:
    """The audit log's fingerprint of a department question or answer.

    Keyed (HMAC-SHA256 with the blind-index key): a plain hash of a question names an ID
    number to anyone who hashes every possible one, and there are few enough to try.
    Whoever holds the key can still check that a given question was asked.
    """
    mac = _query_mac(settings.SUNSHINE_BLIND_INDEX_KEY).copy()
    mac.update(text.encode())
    return mac.hexdigest()


@functools.cache
def _query_mac(index_key: str) -> hmac.HMAC:
    return hmac.new(base64.b64decode(index_key), b"department-query\x00", hashlib.sha256)


@dataclass
class ExtractRecords:
    """``DepartmentRecords`` over the imported department extracts (batch transport).

    Keys arrive normalised, as the contract says; the blind index canonicalises
    them again, so a caller's stray spelling still finds its record.
    ``unavailable`` names departments that are down; their questions raise
    ``DepartmentUnavailable`` as an online outage would. ``preload`` fetches a
    batch's records in a few queries; each application's questions are then
    answered from memory and each distinct question is logged once.
    """

    unavailable: frozenset[str] = frozenset()
    transport: str = "batch"
    queries: list[Query] = field(default_factory=list)
    fetch: Callable[[str, str], str | None] | None = None
    _preloaded: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _by_key: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _asked: dict[tuple[str, str], Any] = field(default_factory=dict)

    def take_queries(self) -> list[Query]:
        """The questions asked since the last call; the next application starts afresh."""
        taken, self.queries = self.queries, []
        self._asked = {}
        return taken

    def preload(self, declarations: Iterable[Declaration]) -> None:
        index_of: dict[tuple[str, str], str] = {}
        wanted: dict[str, set[str]] = {}
        indexers: dict[str, Callable[[str], str]] = {}
        for declaration in declarations:
            for kind, key in _keys_of(declaration):
                if (kind, key) not in index_of:
                    if kind not in indexers:
                        indexers[kind] = key_indexer(kind)
                    index = index_of[(kind, key)] = indexers[kind](key)
                    wanted.setdefault(kind, set()).add(index)
        self._preloaded = {
            (kind, index): None for kind, indexes in wanted.items() for index in indexes
        }
        for kind, indexes in wanted.items():
            for index, payload in _fetch_many(kind, sorted(indexes)):
                self._preloaded[(kind, index)] = payload
        # By the keys as declared too: the checks ask with those, and so skip the hashing.
        self._by_key = {
            (kind, key): self._preloaded[(kind, index)] for (kind, key), index in index_of.items()
        }

    def _ask(self, kind: RecordKind, key: str) -> Any:
        department, kind_name = _NAMES[kind]
        if department in self.unavailable:
            request = query_digest(f"{kind_name}:{key}")
            self.queries.append(Query(department, kind_name, request, "", "unavailable"))
            raise DepartmentUnavailable(DEPARTMENT_OF[kind], "marked unavailable")
        asked = (kind_name, key)
        if asked not in self._asked:
            payload = self._payload(kind_name, key)
            self._asked[asked] = from_json(kind_name, payload) if payload else None
            self.queries.append(
                Query(
                    department,
                    kind_name,
                    query_digest(f"{kind_name}:{key}"),
                    query_digest(payload or ""),
                    "found" if payload else "not_found",
                )
            )
        return self._asked[asked]

    def _payload(self, kind: str, key: str) -> str | None:
        if (kind, key) in self._by_key:
            return self._by_key[(kind, key)]
        preloaded = (kind, _index(kind, key))
        if preloaded in self._preloaded:
            return self._preloaded[preloaded]
        return (self.fetch or _from_table)(kind, key)

    def hukou(self, id_number: str) -> HukouRecord | None:
        found: HukouRecord | None = self._ask(RecordKind.HUKOU, id_number)
        return found

    def birth(self, child_id_number: str) -> BirthRecord | None:
        found: BirthRecord | None = self._ask(RecordKind.BIRTH, child_id_number)
        return found

    def property(self, certificate_no: str) -> PropertyRecord | None:
        found: PropertyRecord | None = self._ask(RecordKind.PROPERTY, certificate_no)
        return found

    def rental(self, registration_no: str) -> RentalRecord | None:
        found: RentalRecord | None = self._ask(RecordKind.RENTAL, registration_no)
        return found

    def social_insurance(self, id_number: str) -> SocialInsuranceRecord | None:
        found: SocialInsuranceRecord | None = self._ask(RecordKind.SOCIAL_INSURANCE, id_number)
        return found

    def residence_permit(self, permit_no: str) -> ResidencePermitRecord | None:
        found: ResidencePermitRecord | None = self._ask(RecordKind.RESIDENCE_PERMIT, permit_no)
        return found


def _keys_of(declaration: Declaration) -> Iterator[tuple[str, str]]:
    yield RecordKind.HUKOU, declaration.child_id_number
    yield RecordKind.BIRTH, declaration.child_id_number
    # Social insurance is asked about only where a rental or a permit is declared.
    insured = bool(declaration.rental_registration_no or declaration.residence_permit_no)
    for guardian in declaration.guardians:
        yield RecordKind.HUKOU, guardian.id_number
        if insured:
            yield RecordKind.SOCIAL_INSURANCE, guardian.id_number
    if declaration.property_certificate_no:
        yield RecordKind.PROPERTY, declaration.property_certificate_no
    if declaration.rental_registration_no:
        yield RecordKind.RENTAL, declaration.rental_registration_no
    if declaration.residence_permit_no:
        yield RecordKind.RESIDENCE_PERMIT, declaration.residence_permit_no


def _fetch_many(kind: str, indexes: list[str]) -> Iterator[tuple[str, str]]:
    """(key index, decrypted payload) of the records filed under these indexes."""
    field = DepartmentRecord._meta.get_field("payload_json")
    open_sealed = decryptor(field.purpose)
    where, params = rows_by_ids(DepartmentRecord, "key_index", indexes, extra=" AND kind = %s")
    table = connection.ops.quote_name(DepartmentRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key_index, payload_json FROM {table} WHERE {where}", [*params, kind]
        )
        for index, stored in cursor.fetchall():
            # As the field would read it: an empty value is not encrypted.
            yield index, open_sealed(stored) if stored else stored


def _from_table(kind: str, key: str) -> str | None:
    row = DepartmentRecord.objects.filter(kind=kind, key_index=key_index(kind, key)).first()
    return row.payload_json if row else None


def configured_connector() -> Connector:
    """The online connector when ``SUNSHINE_DEPARTMENTS_URL`` is set, else the extracts."""
    base_url = getattr(settings, "SUNSHINE_DEPARTMENTS_URL", "")
    if not base_url:
        return ExtractRecords()
    from sunshine.verification.online import OnlineRecords
    from sunshine.verification.signing import SigningKey

    return OnlineRecords(base_url, SigningKey.parse(settings.SUNSHINE_DEPARTMENTS_KEY))
