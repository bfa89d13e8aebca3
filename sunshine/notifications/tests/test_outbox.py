import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from sunshine.audit.services import Actor
from sunshine.notifications import services
from sunshine.notifications.backends import DeliveryFailed
from sunshine.notifications.models import Delivery, MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db
SENDER = Actor.system("sms")
NOW = dt.datetime(2024, 7, 20, 9, 0, tzinfo=dt.UTC)


class Provider:
    """A provider that refuses the first ``refusals`` calls, then accepts; it counts SMS."""

    def __init__(self, refusals: int = 0, crash: bool = False) -> None:
        self.refusals = refusals
        self.crash = crash
        self.delivered: list[tuple[str, str]] = []

    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        if self.crash:
            raise TimeoutError("no answer after the request went out")
        if self.refusals:
            self.refusals -= 1
            raise DeliveryFailed("isv.BUSINESS_LIMIT_CONTROL")
        self.delivered.append((phone, template_id))
        return f"biz-{len(self.delivered)}"


def queue(*keys: str, phone: str = "13800000001") -> None:
    with transaction.atomic():
        services.enqueue(
            [services.Announcement(key, phone, "UNPLACED", {"child": "小明"}) for key in keys],
            NOW,
        )


def test_an_event_is_queued_once():
    queue("result:1:1")
    queue("result:1:1")
    assert OutboxMessage.objects.count() == 1


def test_pressing_send_twice_sends_each_message_once():
    queue("result:1:1", "result:1:2", phone="13800000002")
    provider = Provider()
    first = services.send_pending(SENDER, provider, now=NOW)
    second = services.send_pending(SENDER, provider, now=NOW)
    assert (first.sent, second.sent) == (2, 0)
    assert len(provider.delivered) == 2


def test_a_second_sender_running_at_the_same_time_finds_the_message_taken():
    queue("result:1:1")
    inner = Provider()

    class Racing(Provider):
        def send(
            self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
        ) -> str:
            # While this sender talks to the provider, another one runs in full.
            services.send_pending(SENDER, inner, now=NOW)
            return super().send(phone, template_id, params, reference)

    outer = Racing()
    services.send_pending(SENDER, outer, now=NOW)
    assert len(outer.delivered) + len(inner.delivered) == 1


def test_a_refusal_is_retried_with_exponential_backoff_then_given_up():
    queue("result:1:1")
    provider = Provider(refusals=10)
    services.send_pending(SENDER, provider, now=NOW)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    first_wait = message.next_attempt_at - NOW
    assert dt.timedelta(seconds=30) <= first_wait <= dt.timedelta(seconds=36)
    # Not before its time.
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(seconds=10))
    assert OutboxMessage.objects.get().attempts == 1
    when = NOW
    waits = []
    for _ in range(services.MAX_ATTEMPTS - 1):
        when = OutboxMessage.objects.get().next_attempt_at
        services.send_pending(SENDER, provider, now=when)
        message = OutboxMessage.objects.get()
        if message.next_attempt_at:
            waits.append(message.next_attempt_at - when)
    assert [round(w / first_wait) for w in waits] == [2, 4, 8]
    assert message.status == MessageStatus.FAILED and message.attempts == services.MAX_ATTEMPTS
    assert provider.delivered == []


def test_a_refusal_followed_by_success_sends_exactly_one_sms():
    queue("result:1:1")
    provider = Provider(refusals=1)
    services.send_pending(SENDER, provider, now=NOW)
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(minutes=5))
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.SENT and message.provider_message_id == "biz-1"
    assert len(provider.delivered) == 1


def test_an_uncertain_outcome_is_never_sent_again():
    queue("result:1:1")
    services.send_pending(SENDER, Provider(crash=True), now=NOW)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.FAILED and message.last_error.startswith("uncertain")
    provider = Provider()
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(hours=2))
    assert provider.delivered == []


def test_a_sender_that_died_mid_send_leaves_its_message_failed_not_resent():
    queue("result:1:1")
    OutboxMessage.objects.update(status=MessageStatus.SENDING, claimed_at=NOW, attempts=1)
    provider = Provider()
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(minutes=5))
    assert OutboxMessage.objects.get().status == MessageStatus.SENDING
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(minutes=11))
    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    assert provider.delivered == []


def test_one_phone_gets_at_most_its_hourly_share_and_the_rest_later(settings):
    settings.SUNSHINE_SMS_PER_PHONE_PER_HOUR = 2
    queue("a", "b", "c", phone="13800000003")
    queue("d", phone="13800000004")
    provider = Provider()
    report = services.send_pending(SENDER, provider, now=NOW)
    assert (report.sent, report.deferred) == (3, 1)
    waiting = OutboxMessage.objects.get(status=MessageStatus.PENDING)
    assert waiting.next_attempt_at == NOW + dt.timedelta(hours=1)
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(minutes=59))
    assert OutboxMessage.objects.filter(status=MessageStatus.PENDING).count() == 1
    services.send_pending(SENDER, provider, now=NOW + dt.timedelta(hours=1))
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 4


def test_a_prefix_sends_only_that_events_messages():
    queue("result:7:1", "result:7:2", "submitted:9")
    report = services.send_pending(SENDER, Provider(), now=NOW, prefix="result:7:")
    assert report.sent == 2 and report.pending == 0
    assert OutboxMessage.objects.get(event_key="submitted:9").status == MessageStatus.PENDING


def test_a_delivery_receipt_is_recorded_against_the_message():
    queue("result:1:1")
    services.send_pending(SENDER, Provider(), now=NOW)
    assert services.record_delivery(SENDER, "biz-1", delivered=True, at=timezone.now())
    assert OutboxMessage.objects.get().delivery == Delivery.DELIVERED
    assert not services.record_delivery(SENDER, "unknown-id", delivered=False)


def test_the_send_command_sends_what_is_due(capsys):
    from django.core.management import call_command

    queue("result:1:1")
    call_command("send_sms")
    assert "sent 1" in capsys.readouterr().out
    assert OutboxMessage.objects.get().status == MessageStatus.SENT
