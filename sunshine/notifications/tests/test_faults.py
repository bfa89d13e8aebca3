"""SMS under faults: a sender killed mid-batch, a provider that fails, times out or refuses.

The provider is the local stand-in for Aliyun's service, spoken to through the official
SDK; it keeps every message it took, so "sent exactly once" is counted where it matters.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sunshine import testing
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.notifications import fake_provider as fake
from sunshine.notifications import services
from sunshine.notifications.backends import FileBackend
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.notifications.providers import AliyunBackend, ProviderSettings

SENDER = Actor.system("sms")
TEMPLATES = {"UNPLACED": "SMS_0003"}


@pytest.fixture
def provider() -> Iterator[fake.RunningProvider]:
    running = fake.start(fake.FakeSmsProvider())
    yield running
    running.stop()


def aliyun(endpoint: str) -> AliyunBackend:
    return AliyunBackend(
        ProviderSettings(
            access_key_id="test-id",
            access_key_secret="test-secret",
            sign_name="阳光招生",
            templates=TEMPLATES,
            endpoint=endpoint,
            protocol="http",
            timeouts_seconds=(1, 1),
        )
    )


def queue(count: int, now: dt.datetime) -> None:
    with transaction.atomic():
        services.enqueue(
            [
                services.Announcement(
                    f"result:1:{i}", f"1380000{i:04d}", "UNPLACED", {"child": "小明"}
                )
                for i in range(count)
            ],
            now,
        )


def taken_per_message(provider: fake.RunningProvider) -> Counter[str]:
    return Counter(taken.out_id for taken in provider.provider.taken)


def references() -> set[str]:
    return {services.reference_of(m) for m in OutboxMessage.objects.all()}


def send_until_settled(backend: AliyunBackend, start: dt.datetime, rounds: int = 12) -> None:
    """Run the sender as its worker would, each time when the next retry is due."""
    now = start
    for _ in range(rounds):
        services.send_pending(SENDER, backend, now=now)
        waiting = OutboxMessage.objects.exclude(status=MessageStatus.SENT)
        if not waiting.exists():
            return
        now = max([now, *[m.next_attempt_at or now for m in waiting]]) + dt.timedelta(seconds=1)


@pytest.mark.django_db
def test_a_failing_provider_gets_every_message_exactly_once_when_it_recovers(provider):
    start = timezone.now()
    queue(5, start)
    control = provider.provider.control
    # In turn: a 503 before taking, a 500 after taking, a stall past the client's
    # timeout after taking, a refusal; then the provider recovers.
    for mode in ("fail", "fail_after_taking", "timeout", "refuse"):
        control({"mode": mode, "count": 1, "stall_seconds": 1.5})
        services.send_pending(SENDER, aliyun(provider.endpoint), now=start, limit=1)
    control({"mode": "ok"})
    send_until_settled(aliyun(provider.endpoint), start)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert taken_per_message(provider) == Counter(dict.fromkeys(references(), 1))
    reconciled = AuditEvent.objects.filter(action="sms.reconciled")
    # The 503 was not taken (sent again); the 500 and the stall were (found, not resent).
    assert sorted(e.data["status"] for e in reconciled) == ["pending", "sent", "sent"]


@pytest.mark.django_db
def test_a_provider_that_cannot_be_asked_is_asked_again_later_not_resent(provider):
    start = timezone.now()
    queue(1, start)
    provider.provider.control({"mode": "fail_after_taking", "count": 1, "query": "fail"})
    backend = aliyun(provider.endpoint)
    services.send_pending(SENDER, backend, now=start)
    later = OutboxMessage.objects.get().next_attempt_at + dt.timedelta(seconds=1)
    services.send_pending(SENDER, backend, now=later)
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.SENDING and message.next_attempt_at > later
    assert AuditEvent.objects.filter(action="sms.reconcile_deferred").count() == 1
    provider.provider.control({"mode": "ok"})
    send_until_settled(backend, message.next_attempt_at)
    assert OutboxMessage.objects.get().status == MessageStatus.SENT
    assert len(provider.provider.taken) == 1


@pytest.mark.django_db
def test_a_lost_claim_the_provider_never_took_is_sent_again_once(tmp_path):
    start = timezone.now()
    queue(2, start)
    backend = FileBackend(tmp_path / "sms.jsonl")
    # One sender died after the provider took its message, another before it was sent.
    taken = OutboxMessage.objects.order_by("pk").first()
    assert taken is not None
    OutboxMessage.objects.update(status=MessageStatus.SENDING, claimed_at=start, attempts=1)
    backend.send(taken.phone, taken.template_id, taken.params, services.reference_of(taken))
    services.send_pending(SENDER, backend, now=start + dt.timedelta(minutes=5))
    assert OutboxMessage.objects.filter(status=MessageStatus.SENDING).count() == 2
    services.send_pending(SENDER, backend, now=start + dt.timedelta(minutes=11))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    lines = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert AuditEvent.objects.filter(action="sms.reconciled").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_mid_batch_leaves_every_message_sent_exactly_once(provider, tmp_path):
    queue(6, timezone.now())
    # Each answer takes a while, so the sender is killed while the provider holds one.
    provider.provider.control({"mode": "ok", "delay_seconds": 0.2})
    with testing.database_for_subprocess(tmp_path) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SUNSHINE_SMS_BACKEND": "aliyun",
            "SUNSHINE_SMS_ACCESS_KEY_ID": "test-id",
            "SUNSHINE_SMS_ACCESS_KEY_SECRET": "test-secret",
            "SUNSHINE_SMS_SIGN_NAME": "阳光招生",
            "SUNSHINE_SMS_ENDPOINT": provider.endpoint,
            "SUNSHINE_SMS_PROTOCOL": "http",
            "SUNSHINE_SMS_TEMPLATES": "UNPLACED=SMS_0003",
            "SUNSHINE_SMS_CLAIM_TIMEOUT_SECONDS": "1",
        }
        send_sms = [sys.executable, str(settings.BASE_DIR / "manage.py"), "send_sms"]
        worker = subprocess.Popen([*send_sms, "--every", "0.1"], env=env)
        try:
            deadline = time.monotonic() + 30
            while len(provider.provider.taken) < 2 and worker.poll() is None:
                assert time.monotonic() < deadline, "the sender sent nothing"
                time.sleep(0.01)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        time.sleep(1.1)  # the killed sender's claim times out
        subprocess.run([*send_sms], env=env, check=True, capture_output=True, timeout=60)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert taken_per_message(provider) == Counter(dict.fromkeys(references(), 1))
    assert AuditEvent.objects.filter(action="sms.reconciled", data__status="sent").count() == 1
