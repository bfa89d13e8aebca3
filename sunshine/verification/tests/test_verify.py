"""Verification runs: outcomes, the audit trail of every question, and department outages."""

from __future__ import annotations

import hashlib
import json

import pytest

from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.verification.connectors import ExtractRecords, query_digest
from sunshine.verification.fake_departments import FakeDepartments, records_lookup, start
from sunshine.verification.models import (
    ApplicationFacts,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ReviewCase,
    VerificationCheck,
)
from sunshine.verification.online import OnlineRecords, RetryPolicy
from sunshine.verification.services import verify_round
from sunshine.verification.settling import queries_in
from sunshine.verification.signing import SigningKey
from sunshine.verification.tests import builders as b

pytestmark = pytest.mark.django_db
TASK = Actor.system("verification")
KEY = SigningKey("gw", b"test-only-department-key-0123456")


def reasons(application: Application) -> set[str]:
    return set(application.checks.values_list("reason_code", flat=True))


def test_each_family_ends_where_its_records_put_it():
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    mistyped = b.family(
        city, home=b.flat("C1", 4, 1, 301), declared_certificate=b.certificate(9999)
    )
    elsewhere = b.family(
        city, home=b.flat("C1", 5, 1, 101), hukou_at=b.flat("C2", 1, 1, 101), owns_home=False
    )
    other_guardian = b.family(city, home=b.flat("C1", 6, 1, 101), guardian_relation="其他监护人")
    b.import_records(owner, mistyped, elsewhere, other_guardian)

    report = verify_round(TASK, city.round, records=ExtractRecords())

    assert (report.checked, report.verified, report.review, report.offline_check) == (4, 2, 1, 1)
    by_family = {
        f: Application.objects.get(pk=f.application.pk)
        for f in (owner, mistyped, elsewhere, other_guardian)
    }
    # Hukou and the owned home in the zone, at one address: category 1.
    assert (by_family[owner].status, by_family[owner].category.category) == (Status.VERIFIED, 1)
    # The certificate number was mistyped: the home does not count, the hukou in the zone does.
    assert "property_not_found" in reasons(by_family[mistyped])
    assert (by_family[mistyped].status, by_family[mistyped].category.category) == (
        Status.VERIFIED,
        2,
    )
    # Neither home nor hukou in the zone: category 5, the school's offline check.
    assert by_family[elsewhere].status == Status.OFFLINE_CHECK
    assert ReviewCase.objects.get(application=elsewhere.application).kind == CaseKind.OFFLINE_CHECK
    # A guardian who is not a parent needs a document: a person must look.
    assert by_family[other_guardian].status == Status.REVIEW
    case = ReviewCase.objects.get(application=other_guardian.application)
    assert (case.kind, case.status) == (CaseKind.REVIEW, CaseStatus.OPEN)
    assert "guardianship_document_required" in case.reasons
    assert ApplicationFacts.objects.count() == 4


def test_every_question_is_in_the_audit_log_with_its_purpose_and_hashes():
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    b.import_records(owner)
    verify_round(TASK, city.round, records=ExtractRecords())
    event = AuditEvent.objects.get(action="department.queried")
    assert event.actor == "task:verification"
    assert event.data["purpose"] == "入学资格核验"
    queries = queries_in(event.data, owner.application.pk)
    asked = {(q["department"], q["kind"], q["outcome"]) for q in queries}
    assert asked == {
        ("police", "hukou", "found"),  # the child and the father
        ("birth_registration", "birth", "found"),
        ("real_estate", "property", "found"),
    }
    assert len(queries) == 4
    assert all(len(q["request_sha256"]) == len(q["response_sha256"]) == 64 for q in queries)
    assert owner.declaration.child_id_number not in json.dumps(event.data)
    asked = {q["request_sha256"] for q in queries}
    assert query_digest(f"hukou:{owner.declaration.child_id_number}") in asked
    # A plain hash would give the ID number away to anyone who hashes every possible one.
    plain = hashlib.sha256(f"hukou:{owner.declaration.child_id_number}".encode()).hexdigest()
    assert plain not in asked
    verified = AuditEvent.objects.get(action="application.verified")
    assert verified.data["applications"][str(owner.application.pk)] == {
        "category": 1,
        "status": "verified",
    }


def test_a_department_outage_mid_batch_fails_no_family_and_a_rerun_completes_them():
    city = b.city()
    families = [b.family(city, home=b.flat("C1", 1 + n % 9, 1, 101 + n)) for n in range(8)]
    lookup = records_lookup(b.records_by_kind(*families))
    service = start(FakeDepartments(lookup, [KEY]))
    try:
        # The police answer 6 questions (3 families, two people each), then go down.
        b.control(service, KEY, mode="fail", departments=["police"], after=6)
        fast = RetryPolicy(attempts=2, base_delay=0.001, timeout=1.0)
        online = OnlineRecords(service.url, KEY, retry=fast, breaker_threshold=3)
        first = verify_round(TASK, city.round, records=online, chunk=3)

        assert (first.checked, first.verified, first.review) == (8, 3, 5)
        statuses = {
            f.application.pk: Application.objects.get(pk=f.application.pk).status for f in families
        }
        verified = [pk for pk, status in statuses.items() if status == Status.VERIFIED]
        waiting = [pk for pk, status in statuses.items() if status == Status.REVIEW]
        assert verified == [f.application.pk for f in families[:3]]
        for pk in waiting:
            application = Application.objects.get(pk=pk)
            assert "department_unavailable" in reasons(application)
            assert application.checks.filter(retryable=True).exists()
            assert not hasattr(application, "category") or application.category is None
            case = ReviewCase.objects.get(application=application, status=CaseStatus.OPEN)
            assert "department_unavailable" in case.reasons
        # Nothing is lost: every application has all its checks on record.
        assert VerificationCheck.objects.filter(application__in=waiting).count() == 5 * 4
        outcomes = {
            query["outcome"]
            for event in AuditEvent.objects.filter(action="department.queried")
            for family in families
            for query in queries_in(event.data, family.application.pk)
        }
        assert {"found", "http_503", "circuit_open"} <= outcomes

        b.control(service, KEY, mode="ok")
        again = OnlineRecords(service.url, KEY, retry=fast)
        second = verify_round(TASK, city.round, records=again)
    finally:
        service.stop()

    assert (second.checked, second.verified, second.review) == (5, 5, 0)
    assert set(Application.objects.values_list("status", flat=True)) == {Status.VERIFIED}
    assert not ReviewCase.objects.filter(status=CaseStatus.OPEN).exists()
    closed = ReviewCase.objects.filter(application__in=waiting)
    assert {(c.status, c.outcome) for c in closed} == {(CaseStatus.CLOSED, CaseOutcome.RESOLVED)}
    # Only the unanswered checks were asked again, and they say how often they were asked.
    rerun = VerificationCheck.objects.filter(application__in=waiting, check_name="identity")
    assert all(check.attempts >= 2 for check in rerun)
    assert all(
        check.attempts == 1
        for check in VerificationCheck.objects.filter(
            application__in=waiting, check_name="property"
        )
    )


def test_a_batch_outage_leaves_checks_retryable_for_the_next_run():
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    b.import_records(owner)
    verify_round(TASK, city.round, records=ExtractRecords(unavailable=frozenset({"real_estate"})))
    application = Application.objects.get(pk=owner.application.pk)
    assert application.status == Status.REVIEW
    (waiting,) = application.checks.filter(retryable=True)
    assert (waiting.check_name, waiting.reason_code, waiting.attempts) == (
        "property",
        "department_unavailable",
        3,
    )
    assert "不动产登记系统暂时无法查询" in waiting.message_zh
    verify_round(TASK, city.round, records=ExtractRecords())
    application.refresh_from_db()
    assert (application.status, application.category.category) == (Status.VERIFIED, 1)
