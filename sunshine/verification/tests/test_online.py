"""The online connector against the stand-in department service on a free local port."""

from __future__ import annotations

import json
import secrets
import time

import httpx
import pytest

from sunshine.engine.checks import Department, DepartmentUnavailable
from sunshine.verification.breaker import BreakerState
from sunshine.verification.fake_departments import FakeDepartments, records_lookup, start
from sunshine.verification.online import OnlineRecords, RetryPolicy
from sunshine.verification.signing import SigningKey, request_headers, response_headers
from sunshine.verification.tests.builders import City, Family, city, control, family, flat

KEY = SigningKey("gw", b"test-only-department-key-0123456")
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002, timeout=0.5)


class Records:
    """Engine records of two families, built without the database."""

    def __init__(self) -> None:
        self.by_kind = {"hukou": [], "birth": [], "property": []}

    def add(self, made: Family) -> Family:
        self.by_kind["hukou"] += made.hukou
        self.by_kind["birth"] += made.births
        self.by_kind["property"] += made.properties
        return made


@pytest.fixture
def families(db):
    made: City = city()
    records = Records()
    owner = records.add(family(made, home=flat("C1", 3, 2, 501)))
    return owner, records


@pytest.fixture
def service(families):
    _, records = families
    running = start(FakeDepartments(records_lookup(records.by_kind), [KEY]))
    yield running
    running.stop()


def connector(service, **options) -> OnlineRecords:
    return OnlineRecords(
        service.url, options.pop("key", KEY), retry=FAST, sleep=lambda s: None, **options
    )


def test_a_signed_question_gets_the_department_record_and_is_logged(service, families):
    owner, _ = families
    online = connector(service)
    child = owner.declaration.child_id_number
    assert online.hukou(child) == owner.hukou[1]
    assert online.property(owner.declaration.property_certificate_no) == owner.properties[0]
    assert online.hukou("430702201801010000") is None
    queries = online.take_queries()
    assert [(q.kind, q.outcome, q.transport) for q in queries] == [
        ("hukou", "found", "online"),
        ("property", "found", "online"),
        ("hukou", "not_found", "online"),
    ]
    assert all(len(q.request_sha256) == 64 and len(q.response_sha256) == 64 for q in queries)
    assert len({q.request_sha256 for q in queries}) == 3


def test_a_question_asked_twice_for_one_application_goes_out_once(service, families):
    owner, _ = families
    online = connector(service)
    online.hukou(owner.declaration.child_id_number)
    online.hukou(owner.declaration.child_id_number)
    assert len(online.take_queries()) == 1
    assert service.app.served == 1


def test_a_wrong_key_is_refused_by_the_department_and_not_retried(service, families):
    owner, _ = families
    online = connector(service, key=SigningKey("gw", b"not-the-department-key-123456789"))
    with pytest.raises(DepartmentUnavailable) as unavailable:
        online.hukou(owner.declaration.child_id_number)
    assert unavailable.value.department.value == "police"
    (query,) = online.take_queries()
    assert (query.outcome, query.attempts) == ("http_401", 1)
    assert service.app.served == 0, "a request with a bad signature never reaches the records"


def test_a_failing_department_is_retried_with_backoff_and_then_answers(service, families):
    owner, _ = families
    waits: list[float] = []
    online = OnlineRecords(service.url, KEY, retry=FAST, sleep=waits.append, jitter=lambda: 1.0)
    control(service, KEY, mode="fail", departments=["police"], count=2)
    assert online.hukou(owner.declaration.child_id_number) == owner.hukou[1]
    (query,) = online.take_queries()
    assert (query.outcome, query.attempts) == ("found", 3)
    assert waits == [0.001, 0.002], "the wait doubles after each failure, up to the ceiling"


def test_a_department_that_stalls_times_out_and_counts_as_unavailable(service, families):
    owner, _ = families
    online = OnlineRecords(
        service.url,
        KEY,
        retry=RetryPolicy(attempts=2, base_delay=0.001, timeout=0.2),
        sleep=lambda s: None,
    )
    control(service, KEY, mode="timeout", delay_seconds=1.0)
    with pytest.raises(DepartmentUnavailable):
        online.hukou(owner.declaration.child_id_number)
    (query,) = online.take_queries()
    assert (query.outcome, query.attempts, query.response_sha256) == ("timeout", 2, "")


def test_the_breaker_opens_on_an_outage_and_closes_when_the_department_is_back(service, families):
    owner, _ = families
    clock = [0.0]
    online = connector(
        service, breaker_threshold=3, breaker_reset_seconds=60, breaker_clock=lambda: clock[0]
    )
    breaker = online.breakers[Department.POLICE]
    control(service, KEY, mode="fail", departments=["police"])
    with pytest.raises(DepartmentUnavailable):
        online.hukou(owner.declaration.child_id_number)
    assert breaker.state is BreakerState.OPEN
    served = service.app.served
    with pytest.raises(DepartmentUnavailable):
        online.hukou(owner.hukou[0].id_number)
    assert service.app.served == served, "an open breaker sends nothing"
    assert online.take_queries()[-1].outcome == "circuit_open"
    # Other departments are not affected by the police breaker.
    assert online.property(owner.declaration.property_certificate_no) is not None
    control(service, KEY, mode="ok")
    clock[0] += 60
    assert online.hukou(owner.declaration.child_id_number) == owner.hukou[1]
    assert breaker.state is BreakerState.CLOSED


def test_an_answer_with_a_bad_signature_is_not_believed():
    answer = b'{"found": false, "record": null}'

    def forged(request: httpx.Request) -> httpx.Response:
        headers = response_headers(
            KEY, "/v1/hukou", "not-the-request-nonce", answer, now=time.time()
        )
        return httpx.Response(200, content=answer, headers=headers)

    client = httpx.Client(base_url="http://departments.test", transport=httpx.MockTransport(forged))
    online = OnlineRecords("http://departments.test", KEY, client=client, retry=FAST)
    with pytest.raises(DepartmentUnavailable):
        online.hukou("430702201801010000")
    assert online.take_queries()[0].outcome == "response_bad_signature"


def test_the_service_refuses_a_replayed_request(service, families):
    owner, _ = families
    body = json.dumps({"kind": "hukou", "key": owner.declaration.child_id_number}).encode()
    headers = request_headers(
        KEY, "POST", "/v1/hukou", body, now=time.time(), nonce=secrets.token_hex(16)
    )
    first = httpx.post(service.url + "/v1/hukou", content=body, headers=headers)
    again = httpx.post(service.url + "/v1/hukou", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["found"] is True
    assert again.status_code == 401 and again.json() == {"error": "replayed"}
