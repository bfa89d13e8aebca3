"""Audit events say where a change came from and what it changed, without holding the data."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.audit.guard import REFUSAL, install_insert_only_guard
from sunshine.audit.models import AuditEvent
from sunshine.audit.selectors import verify_chain
from sunshine.audit.services import Actor, address_hash, record
from sunshine.privacy.crypto import blind_index

ACTOR = Actor(name="clerk", role="district")
PHONE_BEFORE, PHONE_AFTER = "13812345678", "13987654321"


def _change(before: object, after: object) -> AuditEvent:
    with transaction.atomic():
        return record(ACTOR, "guardian.phone_changed", before=before, after=after)


@pytest.mark.django_db
def test_a_change_is_logged_as_keyed_fingerprints_not_as_the_data():
    event = _change({"phone": PHONE_BEFORE}, {"phone": PHONE_AFTER})
    stored = AuditEvent.objects.get(pk=event.pk)
    text = str(stored.data)
    assert PHONE_BEFORE not in text and PHONE_AFTER not in text
    assert set(stored.data) == {"before_hash", "after_hash"}
    assert stored.data["before_hash"] != stored.data["after_hash"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_investigator_holding_a_state_can_prove_it_was_the_logged_one():
    first = _change({"phone": PHONE_BEFORE}, {"phone": PHONE_AFTER})
    # Same states given in another key order: canonical JSON makes them the same state.
    second = _change({"phone": PHONE_AFTER}, {"phone": PHONE_BEFORE})
    assert first.data["after_hash"] == second.data["before_hash"]
    assert first.data["before_hash"] == second.data["after_hash"]


@pytest.mark.django_db
def test_the_fingerprint_is_keyed_so_a_short_value_cannot_be_reversed_without_the_key(settings):
    before = _change(PHONE_BEFORE, PHONE_AFTER).data["before_hash"]
    settings.SUNSHINE_BLIND_INDEX_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktISE="
    assert _change(PHONE_BEFORE, PHONE_AFTER).data["before_hash"] != before


@pytest.mark.django_db
def test_a_creation_has_only_an_after_fingerprint():
    with transaction.atomic():
        event = record(ACTOR, "seat_plan.created", after={"seats": 40})
    assert "before_hash" not in event.data and event.data["after_hash"]


@pytest.mark.django_db
def test_a_request_actor_carries_a_hashed_source_address():
    user = User.objects.create_user("clerk", role=Role.DISTRICT, district=testing.district())
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    request.user = user
    actor = Actor.of_request(request)
    assert actor.source == blind_index("203.0.113.7", "client-address")
    assert "203.0.113.7" not in actor.source and actor.role == Role.DISTRICT


@pytest.mark.django_db
def test_a_personal_data_export_is_logged_with_reason_scope_and_source_address(client):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    testing.verified_application(round_, school, 1, male=True)
    user = User.objects.create_user("head", role=Role.SCHOOL, school=school)
    client.force_login(user)
    response = client.post(
        reverse("console:exports"),
        {"kind": "admitted", "format": "csv", "reason": "开学前核对名单"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    event = AuditEvent.objects.get(action="export.personal_data")
    assert event.actor == "head" and event.role == Role.SCHOOL
    assert event.data["reason"] == "开学前核对名单" and event.data["scope"] == "school:S1"
    assert event.source == address_hash("198.51.100.23")


@pytest.mark.django_db
def test_an_export_without_a_reason_is_neither_sent_nor_logged(client):
    user = User.objects.create_user("city", role=Role.CITY)
    client.force_login(user)
    response = client.post(reverse("console:exports"), {"kind": "admitted", "format": "csv"})
    assert not response["Content-Type"].startswith("text/csv")
    assert not AuditEvent.objects.filter(action="export.personal_data").exists()


def _guarded_chain() -> None:
    with transaction.atomic():
        record(ACTOR, "test.first")
        record(ACTOR, "test.second")
    install_insert_only_guard(connection)


@pytest.mark.django_db
def test_the_insert_only_guard_refuses_an_update():
    _guarded_chain()
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        AuditEvent.objects.filter(action="test.first").update(actor="someone-else")
    assert AuditEvent.objects.get(action="test.first").actor == "clerk"


@pytest.mark.django_db
def test_the_insert_only_guard_refuses_a_delete():
    _guarded_chain()
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        AuditEvent.objects.filter(action="test.second").delete()
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_the_guarded_table_still_takes_new_events():
    _guarded_chain()
    with transaction.atomic():
        record(ACTOR, "test.third")
    assert AuditEvent.objects.count() == 3 and verify_chain().ok
