"""Manual review and offline checks: the family's request and document, the school's work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunshine.accounts.models import Role, User
from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.verification import reviews, selectors
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.models import (
    ApplicationFacts,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ReviewCase,
    ReviewDocument,
)
from sunshine.verification.services import verify_round
from sunshine.verification.tests import builders as b

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUNSHINE_REVIEW_UPLOAD_MAX_BYTES = 1024
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    elsewhere = b.family(
        city, home=b.flat("C1", 5, 1, 101), hukou_at=b.flat("C2", 1, 1, 101), owns_home=False
    )
    other_guardian = b.family(city, home=b.flat("C1", 6, 1, 101), guardian_relation="其他监护人")
    other_zone = b.family(city, home=b.flat("C2", 2, 1, 101), hukou_at=b.flat("C1", 1, 1, 101))
    b.import_records(owner, elsewhere, other_guardian, other_zone)
    verify_round(Actor.system("verification"), city.round, records=ExtractRecords())
    return city, owner, elsewhere, other_guardian, other_zone


def user(name: str, role: str, **scope) -> User:
    return User.objects.create_user(username=name, password="x-" + name, role=role, **scope)


def parent_of(made: b.Family) -> User:
    account = user(f"parent{made.application.pk}", Role.PARENT)
    made.guardian.user = account
    made.guardian.save()
    return account


def actor(account: User) -> Actor:
    return Actor.of_user(account)


def fresh(made: b.Family) -> Application:
    return Application.objects.get(pk=made.application.pk)


# --- the family's request and its one document ---------------------------------------------


def test_a_family_asks_for_review_with_a_document_stored_under_a_random_name(world, media):
    _, owner, *_ = world
    parent = parent_of(owner)
    upload = SimpleUploadedFile("房产证.png", PDF, content_type="image/png")
    case = reviews.request_review(
        actor(parent), fresh(owner), note="2010年的老房产证", document=upload
    )
    document = ReviewDocument.objects.get(case=case)
    assert document.content_type == "application/pdf", "the type comes from the content"
    stored = list((media / "review-documents").iterdir())
    assert [path.name for path in stored] == [document.stored_name]
    assert "房产证" not in document.stored_name and stored[0].read_bytes() == PDF
    assert fresh(owner).status == Status.REVIEW
    assert case.requested_by_parent and case.reasons == ["parent_request"]
    event = AuditEvent.objects.get(action="review.requested")
    assert event.data["document_type"] == "application/pdf"
    assert "老房产证" not in str(event.data)


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"<html>not a scan</html>", "scan.pdf", "PDF、JPEG或PNG"),
        (b"GIF89a" + b"\x00" * 10, "photo.png", "PDF、JPEG或PNG"),
        (JPEG + b"\x00" * 1024, "photo.jpg", "不能超过"),
    ],
)
def test_documents_of_another_type_or_too_large_are_refused_and_not_kept(
    world, media, content, name, problem
):
    _, owner, *_ = world
    with pytest.raises(ValidationError, match=problem):
        reviews.request_review(
            Actor("p"), fresh(owner), note="请审核", document=SimpleUploadedFile(name, content)
        )
    assert not ReviewDocument.objects.exists()
    assert not list((media / "review-documents").glob("*"))
    assert fresh(owner).status == Status.VERIFIED


def test_a_file_just_under_the_limit_is_accepted(world):
    _, owner, *_ = world
    almost = PNG + b"\x00" * (1024 - len(PNG))
    reviews.request_review(
        Actor("p"), fresh(owner), note="请审核", document=SimpleUploadedFile("a.png", almost)
    )
    assert ReviewDocument.objects.get().size_bytes == 1024


def test_a_family_asks_once_per_review(world):
    _, owner, *_ = world
    reviews.request_review(Actor("p"), fresh(owner), note="第一次")
    with pytest.raises(ValidationError, match="已提交人工审核申请"):
        reviews.request_review(
            Actor("p"), fresh(owner), note="第二次", document=SimpleUploadedFile("a.png", PNG)
        )
    assert ReviewCase.objects.filter(application=owner.application).count() == 1


def test_only_the_guardians_and_staff_in_scope_can_download_the_document(world, client):
    _, owner, *_ = world
    parent = parent_of(owner)
    upload = SimpleUploadedFile("a.jpg", JPEG)
    case = reviews.request_review(actor(parent), fresh(owner), note="请审核", document=upload)
    url = reverse("verification:document", args=[case.document.token])
    assert case.document.token not in case.document.stored_name

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    allowed = [
        parent,
        user("p1staff", Role.SCHOOL, school=b.School.objects.get(code="P1")),
        user("district", Role.DISTRICT, district=b.District.objects.get(code="430702")),
        user("city", Role.CITY),
    ]
    refused = [
        user("stranger", Role.PARENT),
        user("p2staff", Role.SCHOOL, school=b.School.objects.get(code="P2")),
        user("observer", Role.OBSERVER),
    ]
    for account in allowed:
        client.force_login(account)
        response = client.get(url)
        assert response.status_code == 200, account.username
        assert b"".join(response.streaming_content) == JPEG
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert "attachment" in response["Content-Disposition"]
    for account in refused:
        client.force_login(account)
        assert client.get(url).status_code == 404, account.username
    assert client.get(f"/media/review-documents/{case.document.stored_name}").status_code == 404


# --- decisions -----------------------------------------------------------------------------


def test_an_approved_review_confirms_what_waited_for_a_person_and_the_family_sees_why(world):
    _, _, _, other_guardian, _ = world
    staff = user("p1staff", Role.SCHOOL, school=b.School.objects.get(code="P1"))
    case = ReviewCase.objects.get(application=other_guardian.application, kind=CaseKind.REVIEW)
    reviews.decide_case(actor(staff), case, outcome="approved", reason="已核验法院指定监护文书")
    application = fresh(other_guardian)
    # Hukou and home in the zone at one address, the guardian now confirmed: category 1.
    assert (application.status, application.category.category) == (Status.VERIFIED, 1)
    waiting = application.checks.get(check_name="guardianship")
    assert (waiting.status, waiting.reason_code) == ("verified", "manual_review_approved")
    parent = parent_of(other_guardian)
    (seen,) = selectors.family_reviews(parent, application)
    assert (seen.outcome, seen.reason) == (CaseOutcome.APPROVED, "已核验法院指定监护文书")
    assert AuditEvent.objects.get(action="review.decided").data["outcome"] == "approved"


def test_facts_a_silent_department_left_open_must_be_settled_by_staff_to_approve():
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    b.import_records(owner)
    down = ExtractRecords(unavailable=frozenset({"real_estate"}))
    verify_round(Actor.system("verification"), city.round, records=down)
    case = ReviewCase.objects.get(application=owner.application, kind=CaseKind.REVIEW)
    assert "department_unavailable" in case.reasons
    with pytest.raises(ValidationError, match="property_in_zone_owned_by_guardian"):
        reviews.decide_case(Actor("s"), case, outcome="approved", reason="已电话核实")
    settled = {
        "property_owned_by_guardian": "是",
        "property_in_zone_owned_by_guardian": "true",
        "hukou_same_as_property": "true",
        "residence_in_zone": "true",
        "property_registration_date": "2018-06-01",
    }
    reviews.decide_case(Actor("s"), case, outcome="approved", reason="已电话核实", facts=settled)
    application = fresh(owner)
    assert (application.status, application.category.category) == (Status.VERIFIED, 1)
    assert (
        ApplicationFacts.objects.get(application=application).overrides[
            "property_registration_date"
        ]
        == "2018-06-01"
    )


def test_a_rejected_review_counts_what_could_not_be_shown_as_not_shown(world):
    _, _, _, other_guardian, _ = world
    case = ReviewCase.objects.get(application=other_guardian.application, kind=CaseKind.REVIEW)
    reviews.decide_case(Actor("staff"), case, outcome="rejected", reason="未提供监护证明")
    application = fresh(other_guardian)
    assert application.checks.get(check_name="guardianship").status == "mismatch"
    # The policy's categories do not ask for guardianship, so the home still counts.
    assert application.status == Status.VERIFIED
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.DECIDED


def test_a_decision_needs_a_reason_the_family_can_read(world):
    _, _, _, other_guardian, _ = world
    case = ReviewCase.objects.get(application=other_guardian.application, kind=CaseKind.REVIEW)
    with pytest.raises(ValidationError, match="理由"):
        reviews.decide_case(Actor("s"), case, outcome="rejected", reason="  ")
    with pytest.raises(ValidationError, match="通过"):
        reviews.decide_case(Actor("s"), case, outcome="lives_in_zone", reason="x")


# --- offline checks: the school's worklist -------------------------------------------------


def test_the_school_sees_its_own_offline_checks_assigns_visits_and_decides(world, client):
    _, _, elsewhere, _, _ = world
    p1 = b.School.objects.get(code="P1")
    head = user("p1head", Role.SCHOOL, school=p1)
    teacher = user("p1teacher", Role.SCHOOL, school=p1)
    outsider = user("p2staff", Role.SCHOOL, school=b.School.objects.get(code="P2"))

    work = selectors.worklist(head, kind=CaseKind.OFFLINE_CHECK)
    assert [case.application_id for case in work] == [elsewhere.application.pk]
    assert not selectors.worklist(outsider, kind=CaseKind.OFFLINE_CHECK).exists()
    case = work.get()
    assert outsider not in selectors.assignable_staff(case)
    with pytest.raises(ValidationError, match="无权"):
        reviews.assign_case(actor(head), case, outsider)
    reviews.assign_case(actor(head), case, teacher)
    assert [c.pk for c in selectors.worklist(teacher, mine=True)] == [case.pk]

    client.force_login(teacher)
    page = client.post(
        reverse("verification:case", args=[case.pk]),
        {
            "action": "visit",
            "visited_on": dt.date.today().isoformat(),
            "lives_in_zone": "yes",
            "findings": "家中有租住合同和水电缴费记录，实际居住",
        },
    )
    assert page.status_code == 302
    page = client.post(
        reverse("verification:case", args=[case.pk]),
        {"action": "decide", "outcome": "lives_in_zone", "reason": "入户核实在片区内实际居住"},
    )
    assert page.status_code == 302
    application = fresh(elsewhere)
    assert (application.status, application.zone_school_id) == (Status.VERIFIED, p1.pk)
    decided = ReviewCase.objects.get(pk=case.pk)
    assert (decided.status, decided.outcome) == (CaseStatus.DECIDED, CaseOutcome.LIVES_IN_ZONE)
    assert decided.visits.get().findings.startswith("家中有租住合同")
    actions = list(
        AuditEvent.objects.filter(object_id=str(application.pk)).values_list("action", flat=True)
    )
    assert {"review.assigned", "review.home_visit", "application.offline_checked"} <= set(actions)
    client.force_login(outsider)
    assert client.get(reverse("verification:case", args=[case.pk])).status_code == 404


def test_a_family_found_outside_the_zone_loses_its_claim_on_the_zone_school(world):
    _, _, elsewhere, _, _ = world
    case = ReviewCase.objects.get(application=elsewhere.application, kind=CaseKind.OFFLINE_CHECK)
    reviews.decide_case(Actor("s"), case, outcome="not_in_zone", reason="入户未见居住痕迹")
    application = fresh(elsewhere)
    assert (application.status, application.zone_school) == (Status.VERIFIED, None)


def test_the_worklist_page_is_for_staff_only(world, client):
    _, owner, *_ = world
    client.force_login(user("p1staff", Role.SCHOOL, school=b.School.objects.get(code="P1")))
    page = client.get(reverse("verification:worklist"))
    assert page.status_code == 200
    assert "线下核查" in page.content.decode()
    client.force_login(parent_of(owner))
    assert client.get(reverse("verification:worklist")).status_code == 403


def test_the_family_page_corrects_and_requests_review_for_own_children_only(world, client):
    _, owner, elsewhere, *_ = world
    parent = parent_of(owner)
    client.force_login(parent)
    url = reverse("verification:family", args=[owner.application.reference])
    page = client.get(url)
    assert page.status_code == 200 and "核验结果" in page.content.decode()
    assert owner.declaration.child_id_number not in page.content.decode()
    response = client.post(
        url,
        {"action": "review", "note": "请人工审核", "document": SimpleUploadedFile("a.png", PNG)},
    )
    assert response.status_code == 302
    assert ReviewDocument.objects.filter(case__application=owner.application).exists()
    bad = client.post(url, {"action": "correct", "field": "property_certificate_no", "value": "x"})
    assert "格式不正确" in bad.content.decode()
    other = reverse("verification:family", args=[elsewhere.application.reference])
    assert client.get(other).status_code == 404
