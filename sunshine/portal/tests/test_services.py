import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from sunshine.applications.models import Application, Child, Guardian, Status
from sunshine.applications.services import GuardianInput, id_index
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.engine.idnumber import compose
from sunshine.notifications.models import OutboxMessage
from sunshine.portal import services
from sunshine.portal.models import Draft, SubmissionReceipt
from sunshine.portal.tests import world as w

pytestmark = pytest.mark.django_db
PARENT = Actor("parent", "parent")


@pytest.fixture
def city():
    return w.world()


def add(user, fam, **kwargs):
    return services.add_child(
        PARENT,
        user,
        name=fam.child_name,
        id_number=fam.child_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
        **kwargs,
    )


def filled_draft(user, child, round_, **changes):
    draft = services.open_draft(PARENT, user, child, round_)
    values = {
        "residence_address": w.HOME,
        "hukou_same": True,
        "housing": "own",
        "property_certificate_no": "湘(2020)常德市不动产权第0000001号",
        "property_same": True,
        "choices": [],
        **changes,
    }
    return services.save_draft(draft, values)


def test_a_parent_adds_a_child_and_is_linked_as_its_guardian_by_the_login_phone(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    child = add(user, fam)
    assert child.birth_date == dt.date(2018, 3, 1) and child.sex == "M"
    guardian = Guardian.objects.get(user=user)
    assert guardian.phone == fam.phone and guardian.name == fam.parent_name
    assert AuditEvent.objects.filter(action="guardian.linked_to_account").exists()


def test_a_second_guardian_is_registered_with_their_own_phone_and_links_on_their_login(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    mother_id = compose("430702", dt.date(1990, 2, 2), 2)
    child = add(user, fam, other_guardian=GuardianInput("赵敏", mother_id, "13655550000", "母亲"))
    assert child.guardians.count() == 2
    mother = w.parent_user("13655550000")
    assert Child.objects.filter(guardians__user=mother).get() == child


def test_typing_someone_elses_id_number_as_ones_own_links_nothing(city):
    victim = w.family(import_records=False)
    victim_user = w.parent_user(victim.phone)
    add(victim_user, victim)
    intruder = w.family(import_records=False)
    intruder_user = w.parent_user(intruder.phone)
    with pytest.raises(ValidationError) as refused:
        services.add_child(
            PARENT,
            intruder_user,
            name=intruder.child_name,
            id_number=intruder.child_id,
            parent=services.ParentInput(victim.parent_name, victim.parent_id, "父亲"),
        )
    assert "parent_id_number" in refused.value.message_dict
    assert not Child.objects.filter(guardians__user=intruder_user).exists()
    assert not Child.objects.filter(name=intruder.child_name).exists()


def test_twins_share_a_group_and_must_share_a_birthday(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    first = add(user, fam)
    twin_id = compose("430702", dt.date(2018, 3, 1), 902)
    twin = services.add_child(
        PARENT,
        user,
        name="王二宝",
        id_number=twin_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
        twin_of=first,
    )
    first.refresh_from_db()
    assert twin.twin_group and twin.twin_group == first.twin_group
    not_a_twin = compose("430702", dt.date(2018, 4, 1), 904)
    with pytest.raises(ValidationError, match="出生日期"):
        services.add_child(
            PARENT,
            user,
            name="张不同",
            id_number=not_a_twin,
            parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
            twin_of=first,
        )
    assert not Child.objects.filter(id_index=id_index(not_a_twin)).exists()


def test_a_bad_id_number_is_named_in_chinese_and_nothing_is_written(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    bad = fam.child_id[:-1] + ("0" if fam.child_id[-1] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        services.add_child(
            PARENT,
            user,
            name=fam.child_name,
            id_number=bad,
            parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
        )
    assert "校验位" in refused.value.message_dict["id_number"][0]
    assert not Child.objects.exists() and not Guardian.objects.exists()


def test_the_draft_keeps_everything_typed_even_what_fails_its_step(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    child = add(user, fam)
    draft = services.open_draft(PARENT, user, child, city.round)
    with pytest.raises(ValidationError) as refused:
        services.save_step(draft, "housing", {"housing": "own", "property_certificate_no": ""})
    assert "property_certificate_no" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.save_step(draft, "address", {"residence_address": "短"})
    draft.refresh_from_db()
    assert draft.data["housing"] == "own" and draft.data["residence_address"] == "短"
    # An unticked box is absent from a form post and means "no".
    services.save_step(draft, "address", {"residence_address": w.HOME, "hukou_address": "湖北省"})
    draft.refresh_from_db()
    assert draft.data["hukou_same"] is False


def test_drafts_are_encrypted_at_rest(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_json FROM portal_draft WHERE id = %s", [draft.pk])
        stored = cursor.fetchone()[0]
    assert "金色家园" not in stored and stored.startswith("v1.")


def test_a_double_tap_makes_one_application_one_sms_and_one_audit_event(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    key = draft.idempotency_key
    first = services.submit_draft(PARENT, draft, key=key, consent=True)
    draft.refresh_from_db()
    second = services.submit_draft(PARENT, draft, key=key, consent=True)
    assert first == second
    assert Application.objects.count() == 1
    assert OutboxMessage.objects.filter(template_id="SUBMITTED").count() == 1
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1
    assert first.zone_school == city.zone_school
    assert draft.idempotency_key != key


def test_an_edit_is_a_new_request_and_an_old_page_with_other_content_is_refused(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    old_key = draft.idempotency_key
    services.submit_draft(PARENT, draft, key=old_key, consent=True)
    draft = services.save_draft(Draft.objects.get(pk=draft.pk), {"choices": ["V1"]})
    edited = services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    assert [c.school.code for c in edited.choices.all()] == ["V1"]
    with pytest.raises(services.KeyReused):
        services.submit_draft(PARENT, Draft.objects.get(pk=draft.pk), key=old_key, consent=True)
    assert SubmissionReceipt.objects.count() == 2


def test_no_consent_no_submission(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    with pytest.raises(ValidationError) as refused:
        services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=False)
    assert "consent" in refused.value.message_dict
    assert not Application.objects.exists()


def test_an_incomplete_draft_names_every_missing_field(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = services.open_draft(PARENT, user, add(user, fam), city.round)
    with pytest.raises(ValidationError) as refused:
        services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    assert {"residence_address", "housing"} <= set(refused.value.message_dict)


def test_a_private_school_of_another_round_or_a_public_one_cannot_be_chosen(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round, choices=["P1"])
    with pytest.raises(ValidationError) as refused:
        services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    assert "choices" in refused.value.message_dict


def test_a_tap_that_loses_the_race_gets_the_winners_application(city, monkeypatch):
    """The second of two simultaneous taps misses the receipt, then collides on its key."""
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    key = draft.idempotency_key
    winner = services.submit_draft(PARENT, draft, key=key, consent=True)
    real_filter = SubmissionReceipt.objects.filter
    looks: list[int] = []

    def first_look_misses(*args, **kwargs):
        looks.append(1)
        return SubmissionReceipt.objects.none() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(SubmissionReceipt.objects, "filter", first_look_misses)
    loser = services.submit_draft(PARENT, draft, key=key, consent=True)
    assert len(looks) == 2  # missed, collided, then found the winner's receipt
    assert loser == winner
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1


def test_withdraw_then_editing_is_closed(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    application = services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    services.withdraw(PARENT, application)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.withdraw(PARENT, application)


def test_enrollment_is_confirmed_only_for_an_admitted_child(city):
    from sunshine.admissions import services as admissions

    fam = w.family()
    user = w.parent_user(fam.phone)
    child = add(user, fam)
    draft = filled_draft(user, child, city.round, property_certificate_no=fam.certificate)
    application = services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True)
    with pytest.raises(ValidationError, match="已录取"):
        services.confirm_enrollment(PARENT, application)
    w.close_registration(city.round)
    from sunshine.verification.services import verify_round

    verify_round(w.BUREAU, city.round)
    run = admissions.preview_admission(w.BUREAU, city.round, sources=w.SOURCES)
    admissions.commit_admission(w.BUREAU, run)
    application.refresh_from_db()
    assert application.status == Status.ADMITTED
    confirmed = services.confirm_enrollment(PARENT, application)
    assert confirmed.status == Status.ENROLLED
    assert services.confirm_enrollment(PARENT, application).status == Status.ENROLLED
    assert AuditEvent.objects.filter(action="application.enrollment_confirmed").count() == 1


def test_submission_after_the_deadline_is_refused(city):
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    draft = filled_draft(user, add(user, fam), city.round)
    later = timezone.now() + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="截止"):
        services.submit_draft(PARENT, draft, key=draft.idempotency_key, consent=True, now=later)
