import datetime as dt
import re

import pytest
from django.urls import reverse

from sunshine.accounts.models import Role
from sunshine.accounts.services import create_user
from sunshine.admissions import services as admissions
from sunshine.applications.models import Application, Child, Status
from sunshine.applications.services import id_index
from sunshine.audit.services import Actor
from sunshine.portal import services
from sunshine.portal.models import Draft
from sunshine.portal.tests import world as w
from sunshine.verification.services import verify_round

pytestmark = pytest.mark.django_db
PARENT = Actor("parent", "parent")


@pytest.fixture
def city():
    return w.world()


def log_in(client, phone):
    client.post(reverse("portal:login"), {"phone": phone, "action": "send"})
    response = client.post(
        reverse("portal:login"), {"phone": phone, "code": w.last_code_in_file(), "action": "login"}
    )
    assert response.status_code == 302
    return response


def add_child_through_pages(client, fam):
    form = {
        "name": fam.child_name,
        "id_number": fam.child_id,
        "parent_name": fam.parent_name,
        "parent_id_number": fam.parent_id,
        "relation": "父亲",
    }
    check = client.post(reverse("portal:child_add"), {**form, "action": "check"})
    page = check.content.decode()
    assert "2018-03-01" in page and "男" in page
    # Shown masked; the full number rides only in a hidden field of the POST form.
    assert fam.child_id not in re.sub(r'value="[^"]*"', "", page)
    assert fam.child_id[:6] + "********" + fam.child_id[-4:] in page
    done = client.post(reverse("portal:child_add"), {**form, "action": "confirm"})
    assert done.status_code == 302
    return Child.objects.get(id_index=id_index(fam.child_id))


def apply_through_pages(client, child, round_, certificate):
    start = client.post(reverse("portal:apply", args=[child.pk, round_.pk]))
    draft = Draft.objects.get(child=child)
    assert start["Location"] == reverse("portal:step", args=[draft.pk, "address"])
    step = lambda name: reverse("portal:step", args=[draft.pk, name])  # noqa: E731
    client.post(step("address"), {"residence_address": w.HOME, "hukou_same": "1"})
    client.post(
        step("housing"),
        {"housing": "own", "property_certificate_no": certificate, "property_same": "1"},
    )
    client.post(step("choices"), {"choice_1": "", "choice_2": "", "choice_3": ""})
    review = client.get(step("review"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', review.content.decode())[1]
    return draft, step("review"), key


def test_the_login_link_leads_parents_to_the_sms_log_in(client):
    page = client.get(reverse("home")).content.decode()
    assert reverse("portal:login") in page


def test_anonymous_visitors_go_to_the_sms_log_in_and_staff_are_refused(client, city):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    staff = create_user(Actor("t"), username="s", password="long-pass-123", role=Role.CITY)
    client.force_login(staff)
    assert client.get(reverse("portal:home")).status_code == 403


def test_log_in_by_sms_code_from_the_page_and_debug_says_where_the_code_went(client, settings):
    settings.DEBUG = True
    sent = client.post(reverse("portal:login"), {"phone": "13700000099", "action": "send"})
    page = sent.content.decode()
    assert "137****0099" in page and "sms.jsonl" in page
    wrong = client.post(
        reverse("portal:login"), {"phone": "13700000099", "code": "12345x", "action": "login"}
    )
    assert wrong.status_code == 400 and "6位数字" in wrong.content.decode()
    log_in(client, "13700000099")
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_second_code_within_a_minute_is_refused_with_429(client):
    client.post(reverse("portal:login"), {"phone": "13700000098", "action": "send"})
    again = client.post(reverse("portal:login"), {"phone": "13700000098", "action": "send"})
    assert again.status_code == 429 and int(again["Retry-After"]) > 0


def test_a_phone_number_never_appears_in_a_url(client):
    response = client.post(reverse("portal:login"), {"phone": "13700000097", "action": "send"})
    assert response.status_code == 200  # the code page is rendered, not redirected to
    log_in(client, "13700000097")


def test_the_whole_application_through_the_pages(client, city):
    fam = w.family()
    log_in(client, fam.phone)
    child = add_child_through_pages(client, fam)
    _, review, key = apply_through_pages(client, child, city.round, fam.certificate)
    page = client.get(review).content.decode()
    assert city.zone_school.name in page and "个人信息处理告知" in page
    refused = client.post(review, {"idempotency_key": key, "action": "submit"})
    assert refused.status_code == 400 and not Application.objects.exists()
    submitted = client.post(review, {"idempotency_key": key, "consent": "1", "action": "submit"})
    again = client.post(review, {"idempotency_key": key, "consent": "1", "action": "submit"})
    application = Application.objects.get()
    assert (
        submitted["Location"]
        == again["Location"]
        == reverse("portal:application", args=[application.pk])
    )
    status = client.get(submitted["Location"]).content.decode()
    assert application.reference in status and "修改申请" in status


def test_an_empty_step_is_refused_with_the_field_named_and_linked(client, city):
    fam = w.family(import_records=False)
    log_in(client, fam.phone)
    child = add_child_through_pages(client, fam)
    client.post(reverse("portal:apply", args=[child.pk, city.round.pk]))
    draft = Draft.objects.get()
    response = client.post(reverse("portal:step", args=[draft.pk, "housing"]), {"housing": "own"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#f-property_certificate_no"' in page and 'aria-invalid="true"' in page


def test_autosave_keeps_partial_input_and_answers_with_the_zone_school(client, city):
    fam = w.family(import_records=False)
    log_in(client, fam.phone)
    child = add_child_through_pages(client, fam)
    client.post(reverse("portal:apply", args=[child.pk, city.round.pk]))
    draft = Draft.objects.get()
    response = client.post(
        reverse("portal:step", args=[draft.pk, "address"]),
        {"residence_address": w.HOME},
        headers={"X-Autosave": "1"},
    )
    assert response.json()["zone_school"] == city.zone_school.name
    assert Draft.objects.get().data["residence_address"] == w.HOME


def test_another_family_cannot_see_or_touch_an_application(client, city):
    fam = w.family()
    user = w.parent_user(fam.phone)
    child = services.add_child(
        PARENT,
        user,
        name=fam.child_name,
        id_number=fam.child_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
    )
    draft = services.open_draft(PARENT, user, child, city.round)
    other = w.family(import_records=False)
    log_in(client, other.phone)
    assert client.get(reverse("portal:child", args=[child.pk])).status_code == 404
    assert client.get(reverse("portal:step", args=[draft.pk, "address"])).status_code == 404
    assert client.post(reverse("portal:apply", args=[child.pk, city.round.pk])).status_code == 404


def admitted(city):
    fam = w.family()
    user = w.parent_user(fam.phone)
    child = services.add_child(
        PARENT,
        user,
        name=fam.child_name,
        id_number=fam.child_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
    )
    draft = services.open_draft(PARENT, user, child, city.round)
    services.save_draft(
        draft,
        {
            "residence_address": w.HOME,
            "housing": "own",
            "property_certificate_no": fam.certificate,
        },
    )
    application = services.submit_draft(
        PARENT, Draft.objects.get(pk=draft.pk), key=draft.idempotency_key, consent=True
    )
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    run = admissions.preview_admission(w.BUREAU, city.round, sources=w.SOURCES)
    admissions.commit_admission(w.BUREAU, run)
    application.refresh_from_db()
    return user, application


def test_the_result_page_explains_and_offers_the_notice_and_enrollment(client, city):
    user, application = admitted(city)
    assert application.status == Status.ADMITTED
    client.force_login(user)
    page = client.get(reverse("portal:application", args=[application.pk])).content.decode()
    assert "第一类" in page  # hukou and home in the zone, at the same address, since 2019
    assert city.zone_school.name in page and "学位未满" in page
    notice = client.get(reverse("portal:notice", args=[application.pk]))
    assert notice["Content-Type"] == "application/pdf" and notice.content.startswith(b"%PDF")
    client.post(reverse("portal:confirm", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Status.ENROLLED


def test_withdrawal_needs_the_box_ticked(client, city):
    fam = w.family()
    log_in(client, fam.phone)
    child = add_child_through_pages(client, fam)
    _, review, key = apply_through_pages(client, child, city.round, fam.certificate)
    client.post(review, {"idempotency_key": key, "consent": "1", "action": "submit"})
    application = Application.objects.get()
    url = reverse("portal:withdraw", args=[application.pk])
    assert client.post(url).status_code == 400
    client.post(url, {"confirm": "1"})
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_the_pages_speak_english_when_the_parent_chooses_it(client, city):
    fam = w.family(import_records=False)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("portal:login")).content.decode()
    assert "Parents log in" in page and "Send me a code" in page and 'lang="en"' in page
    log_in(client, fam.phone)
    page = client.get(reverse("portal:child_add")).content.decode()
    assert "Add a child" in page and "Your relation to the child" in page


def supplementary_round(main):
    from django.utils import timezone

    from sunshine.schools.models import Round, RoundKind

    start = timezone.now() - dt.timedelta(hours=1)
    return Round.objects.create(
        term=main.term,
        kind=RoundKind.SUPPLEMENTARY,
        level=main.level,
        registration_opens=start,
        registration_closes=start + dt.timedelta(days=2),
        verification_ends=start + dt.timedelta(days=3),
        lottery_on=start + dt.timedelta(days=4),
        results_on=start + dt.timedelta(days=5),
    )


def test_an_unplaced_child_is_offered_the_supplementary_round_and_an_admitted_one_is_not(
    client, city
):
    user, application = admitted(city)
    extra = supplementary_round(city.round)
    client.force_login(user)
    child_page = reverse("portal:child", args=[application.child_id])
    assert str(extra) not in client.get(child_page).content.decode()
    Application.objects.filter(pk=application.pk).update(status=Status.UNPLACED)
    status = client.get(reverse("portal:application", args=[application.pk])).content.decode()
    assert "补报名已开放" in status
    assert str(extra) in client.get(child_page).content.decode()
    start = client.post(reverse("portal:apply", args=[application.child_id, extra.pk]))
    assert start.status_code == 302 and Draft.objects.filter(round=extra).exists()
