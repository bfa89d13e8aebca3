import pytest
from django.db import transaction

from sunshine.audit.models import AuditEvent
from sunshine.audit.selectors import verify_chain
from sunshine.audit.services import Actor, Event, record_many

ACTOR = Actor(name="tester", role="city")


def _write(count: int) -> None:
    with transaction.atomic():
        record_many(ACTOR, [Event("test.event", "thing", str(i), {"n": i}) for i in range(count)])


@pytest.mark.django_db
def test_an_untouched_chain_verifies():
    _write(5)
    _write(3)
    report = verify_chain()
    assert report.ok and report.events_checked == 8


@pytest.mark.django_db
def test_a_changed_row_is_found():
    _write(5)
    AuditEvent.objects.filter(sequence=3).update(data={"n": 99})
    report = verify_chain()
    assert not report.ok and report.sequence == 3 and "changed" in report.problem


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_found():
    _write(5)
    AuditEvent.objects.filter(sequence=2).delete()
    report = verify_chain()
    assert not report.ok and report.sequence == 2


@pytest.mark.django_db
def test_a_deleted_last_row_is_found():
    _write(5)
    AuditEvent.objects.filter(sequence=5).delete()
    report = verify_chain()
    assert not report.ok and report.sequence == 5


@pytest.mark.django_db
def test_an_inserted_row_is_found():
    _write(3)
    forged = AuditEvent.objects.get(sequence=3)
    forged.pk, forged.sequence, forged.hash = None, 4, "f" * 64
    forged.save()
    report = verify_chain()
    assert not report.ok and report.sequence == 4


@pytest.mark.django_db(transaction=True)
def test_events_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError):
        record_many(ACTOR, [Event("test.event")])
