"""The online transport: signed HTTP JSON queries to the departments.

Each question is one POST of ``{"kind", "key", "purpose"}`` to
``<base>/v1/<kind>``, signed (``signing``), with a timeout. A timeout, a
connection error or a 5xx/429 answer is retried with exponential backoff; a
refused signature or a malformed answer is not. Each department has its own
circuit breaker, so a department that is down is not asked again and again.
A question that finds no answer raises ``DepartmentUnavailable``: the check
ends as a retryable review, never as a failure of the family.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

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
from sunshine.verification.breaker import CircuitBreaker
from sunshine.verification.connectors import DEPARTMENT_OF, PURPOSE, Query, query_digest
from sunshine.verification.models import RecordKind
from sunshine.verification.records import from_json
from sunshine.verification.signing import (
    SignatureError,
    SigningKey,
    request_headers,
    verify_response,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one question: attempts, backoff between them, timeout of each."""

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0
    timeout: float = 3.0

    def delay(self, attempt: int, jitter: float) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based), with equal jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * jitter)


class _Retryable(Exception):
    def __init__(self, code: str, body: bytes = b"") -> None:
        super().__init__(code)
        self.code = code
        self.body = body


class _Refused(_Retryable):
    """An answer that asking again will not change."""


_system_random = secrets.SystemRandom()


class OnlineRecords:
    """``DepartmentRecords`` over the departments' signed HTTP JSON interface."""

    transport = "online"

    def __init__(
        self,
        base_url: str,
        key: SigningKey,
        *,
        retry: RetryPolicy | None = None,
        breaker_threshold: int = 5,
        breaker_reset_seconds: float = 30.0,
        breaker_clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = _system_random.random,
        purpose: str = PURPOSE,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.key = key
        self.purpose = purpose
        self.breakers = {
            department: CircuitBreaker(
                failure_threshold=breaker_threshold,
                reset_seconds=breaker_reset_seconds,
                clock=breaker_clock,
            )
            for department in Department
        }
        self._client = client or httpx.Client(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(self.retry.timeout)
        )
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self.queries: list[Query] = []
        self._answers: dict[tuple[str, str], Any] = {}

    def close(self) -> None:
        self._client.close()

    def preload(self, declarations: Iterable[Declaration]) -> None:
        """Nothing to fetch ahead: each question goes out when a check asks it."""

    def take_queries(self) -> list[Query]:
        taken, self.queries = self.queries, []
        self._answers = {}
        return taken

    def _ask(self, kind: RecordKind, key: str) -> Any:
        asked = (kind.value, key)
        if asked in self._answers:
            return self._answers[asked]
        department = DEPARTMENT_OF[kind]
        body = json.dumps(
            {"kind": kind.value, "key": key, "purpose": self.purpose},
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        request_sha256 = query_digest(body.decode())
        breaker = self.breakers[department]
        attempts = 0
        problem = "unavailable"
        response = b""
        for attempt in range(1, self.retry.attempts + 1):
            if not breaker.allow():
                problem = "circuit_open"
                break
            attempts += 1
            try:
                response = self._post(kind, body)
            except _Refused as refused:
                breaker.record_failure()
                problem, response = refused.code, refused.body
                break
            except _Retryable as failed:
                breaker.record_failure()
                problem, response = failed.code, failed.body
                if attempt < self.retry.attempts:
                    self._sleep(self.retry.delay(attempt, self._jitter()))
                continue
            breaker.record_success()
            return self._answer(kind, department, asked, request_sha256, response, attempts)
        self._log(department, kind, request_sha256, response, problem, attempts)
        raise DepartmentUnavailable(department, problem)

    def _answer(
        self,
        kind: RecordKind,
        department: Department,
        asked: tuple[str, str],
        request_sha256: str,
        response: bytes,
        attempts: int,
    ) -> Any:
        data = json.loads(response)
        record = data.get("record")
        found = from_json(kind, json.dumps(record)) if data.get("found") and record else None
        outcome = "found" if found is not None else "not_found"
        self._log(department, kind, request_sha256, response, outcome, attempts)
        self._answers[asked] = found
        return found

    def _post(self, kind: RecordKind, body: bytes) -> bytes:
        path = f"/v1/{kind.value}"
        nonce = secrets.token_hex(16)
        headers = request_headers(self.key, "POST", path, body, now=self._clock(), nonce=nonce)
        headers["Content-Type"] = "application/json"
        try:
            answer = self._client.post(path, content=body, headers=headers)
        except httpx.TimeoutException:
            raise _Retryable("timeout") from None
        except httpx.TransportError:
            raise _Retryable("connection_error") from None
        if answer.status_code >= 500 or answer.status_code == 429:
            raise _Retryable(f"http_{answer.status_code}", answer.content)
        if answer.status_code != 200:
            raise _Refused(f"http_{answer.status_code}", answer.content)
        try:
            verify_response(
                self.key, path, nonce, dict(answer.headers), answer.content, now=self._clock()
            )
            parsed = json.loads(answer.content)
        except SignatureError as error:
            raise _Refused(f"response_{error.code}", answer.content) from None
        except ValueError:
            raise _Refused("malformed_response", answer.content) from None
        if not isinstance(parsed, dict) or "found" not in parsed:
            raise _Refused("malformed_response", answer.content)
        return answer.content

    def _log(
        self,
        department: Department,
        kind: RecordKind,
        request_sha256: str,
        response: bytes,
        outcome: str,
        attempts: int,
    ) -> None:
        self.queries.append(
            Query(
                department=department.value,
                kind=kind.value,
                request_sha256=request_sha256,
                response_sha256=query_digest(response.decode("utf-8", "replace"))
                if response
                else "",
                outcome=outcome,
                transport=self.transport,
                attempts=attempts,
            )
        )

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
