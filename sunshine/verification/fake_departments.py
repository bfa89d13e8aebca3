"""A stand-in for the departments' online interface, for the demo and the tests.

It answers signed questions (``signing``) from a look-up function: the
database's department records or a generated synthetic city. It refuses bad
signatures, stale timestamps and replayed nonces like a real gateway, and it
can be told, through a signed ``POST /_control``, to fail (HTTP 503) or to stall
(answer after a delay, so a client times out) for some departments, for a
number of requests or until told otherwise.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from sunshine.standin import RunningStandIn, StandInServer
from sunshine.verification.connectors import DEPARTMENT_OF
from sunshine.verification.models import RecordKind
from sunshine.verification.signing import (
    NONCE_HEADER,
    RequestVerifier,
    SignatureError,
    SigningKey,
    response_headers,
)

Lookup = Callable[[str, str], Mapping[str, Any] | None]  # kind, key -> record as JSON data
MAX_BODY_BYTES = 64 * 1024


@dataclass
class Behaviour:
    """What the service does to requests for ``departments`` (all when empty)."""

    mode: str = "ok"  # ok, fail, timeout
    departments: frozenset[str] = frozenset()
    delay_seconds: float = 5.0
    remaining: int | None = None  # requests still affected; None means until told otherwise
    after: int = 0  # requests answered normally before the misbehaviour starts

    def applies_to(self, department: str) -> bool:
        return self.mode != "ok" and (not self.departments or department in self.departments)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


class FakeDepartments:
    """The request handling, separate from the socket so it can be tested directly."""

    def __init__(
        self,
        lookup: Lookup,
        keys: Iterable[SigningKey],
        *,
        clock: Callable[[], float] = time.time,
        after_request: Callable[[], None] | None = None,
    ) -> None:
        self.lookup = lookup
        self.verifier = RequestVerifier({key.key_id: key for key in keys})
        self.clock = clock
        self.after_request = after_request
        self.behaviour = Behaviour()
        self.served = 0
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        if method == "GET" and path == "/health":
            return _json(200, {"ok": True})
        if method != "POST":
            return _json(405, {"error": "method_not_allowed"})
        try:
            key = self.verifier.verify(method, path, headers, body, now=self.clock())
        except SignatureError as error:
            return _json(401, {"error": error.code})
        try:
            request = json.loads(body)
        except ValueError:
            return _json(400, {"error": "malformed_json"})
        if path == "/_control":
            return self._control(request)
        if not path.startswith("/v1/"):
            return _json(404, {"error": "no_such_endpoint"})
        answer = self._query(path.removeprefix("/v1/"), request)
        if answer.status == 200:
            nonce = next(v for k, v in headers.items() if k.lower() == NONCE_HEADER.lower())
            answer.headers.update(response_headers(key, path, nonce, answer.body, now=self.clock()))
        return answer

    def _control(self, request: Mapping[str, Any]) -> Answer:
        mode = request.get("mode", "ok")
        if mode not in {"ok", "fail", "timeout"}:
            return _json(400, {"error": "unknown_mode"})
        with self._lock:
            self.behaviour = Behaviour(
                mode=mode,
                departments=frozenset(request.get("departments") or ()),
                delay_seconds=float(request.get("delay_seconds", 5.0)),
                remaining=request.get("count"),
                after=int(request.get("after", 0)),
            )
        return _json(200, {"mode": mode})

    def _query(self, kind_name: str, request: Mapping[str, Any]) -> Answer:
        try:
            kind = RecordKind(kind_name)
            department = DEPARTMENT_OF[kind].value
        except (ValueError, KeyError):
            return _json(404, {"error": "unknown_kind"})
        key = request.get("key")
        if not isinstance(key, str) or not key or request.get("kind") != kind.value:
            return _json(400, {"error": "bad_request"})
        misbehaviour = self._misbehaviour(department)
        if misbehaviour == "fail":
            return _json(503, {"error": "department_unavailable"})
        record = self.lookup(kind.value, key)
        answer = _json(200, {"found": record is not None, "record": record})
        if misbehaviour == "timeout":
            answer.delay_seconds = self.behaviour.delay_seconds
        return answer

    def _misbehaviour(self, department: str) -> str:
        with self._lock:
            self.served += 1
            behaviour = self.behaviour
            if not behaviour.applies_to(department):
                return "ok"
            if behaviour.after > 0:
                behaviour.after -= 1
                return "ok"
            if behaviour.remaining is not None:
                if behaviour.remaining <= 0:
                    return "ok"
                behaviour.remaining -= 1
            return behaviour.mode


def _json(status: int, data: Mapping[str, Any]) -> Answer:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return Answer(status, body, {"Content-Type": "application/json; charset=utf-8"})


class _Handler(BaseHTTPRequestHandler):
    server: StandInServer[FakeDepartments]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(_json(413, {"error": "too_large"}))
            return
        self._respond(self.rfile.read(length))

    def _respond(self, body: bytes) -> None:
        app = self.server.served
        try:
            answer = app.handle(self.command, self.path, dict(self.headers.items()), body)
        finally:
            if app.after_request is not None:
                app.after_request()
        if answer.delay_seconds:
            time.sleep(answer.delay_seconds)
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test); nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests carry personal data in their bodies, never in logs."""


class RunningService(RunningStandIn[FakeDepartments]):
    @property
    def url(self) -> str:
        return f"http://{self.host_and_port}"

    @property
    def app(self) -> FakeDepartments:
        return self.served


def start(app: FakeDepartments, host: str = "127.0.0.1", port: int = 0) -> RunningService:
    """Serve ``app`` on a background thread; port 0 takes a free port."""
    return RunningService(_Handler, app, host, port, "fake-departments")


def database_lookup(kind: str, key: str) -> Mapping[str, Any] | None:
    """Answers from the imported department records (``DepartmentRecord``)."""
    from sunshine.verification.models import DepartmentRecord
    from sunshine.verification.records import key_index

    row = DepartmentRecord.objects.filter(kind=kind, key_index=key_index(kind, key)).first()
    if row is None:
        return None
    payload: Mapping[str, Any] = row.payload
    return payload


def city_lookup(records: Any) -> Lookup:
    """Answers from a generated city's records (``sunshine.demo.city``), every department's."""
    return records_lookup(
        {
            "hukou": records.hukou,
            "birth": records.births,
            "property": records.properties,
            "housing_contract": records.housing_contracts,
            "rental": records.rentals,
            "social_insurance": records.social_insurance,
            "residence_permit": records.residence_permits,
        }
    )


def records_lookup(records_by_kind: Mapping[str, Iterable[Any]]) -> Lookup:
    """Answers from engine records held in memory (a generated city's, or a test's)."""
    import dataclasses

    from sunshine.verification.records import KINDS, canonical_key

    table: dict[tuple[str, str], Mapping[str, Any]] = {}
    for kind, rows in records_by_kind.items():
        field_name = KINDS[RecordKind(kind)].key_field
        for row in rows:
            data = json.loads(json.dumps(dataclasses.asdict(row), default=str))
            table[(kind, canonical_key(kind, getattr(row, field_name)))] = data

    def lookup(kind: str, key: str) -> Mapping[str, Any] | None:
        return table.get((kind, canonical_key(kind, key)))

    return lookup
