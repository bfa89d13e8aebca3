import pytest
from django.db import transaction

from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor, Event, record_many
from sunshine.commands import audit


@pytest.mark.django_db
def test_the_command_reports_an_intact_chain_then_the_tampered_event(capsys):
    with transaction.atomic():
        record_many(Actor("t"), [Event("test.event", data={"n": n}) for n in range(4)])
    assert audit.main(["verify"]) == 0
    assert "4 events" in capsys.readouterr().out
    AuditEvent.objects.filter(sequence=2).update(actor="someone else")
    assert audit.main(["verify"]) == 1
    assert "event 2" in capsys.readouterr().out
