"""Queueing and sending SMS. Enqueue inside the transaction of the event announced.

One event is one outbox row (its key is unique), and one row is at most one
SMS: a message is claimed (``sending``) and committed before the provider is
called, so a crash or a second sender never sends it again. A provider that
refuses (``DeliveryFailed``) is asked again later, with exponential backoff;
an outcome that cannot be known (any other error) is never retried blindly and
is left ``failed`` with the reason. Messages to one phone are limited per hour
and per day, as providers and courtesy require; over the limit they wait.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sunshine.audit.services import Actor, record
from sunshine.notifications.backends import DeliveryFailed, SmsBackend, configured_backend
from sunshine.notifications.models import Delivery, MessageStatus, OutboxMessage
from sunshine.privacy.crypto import blind_index

MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
# A claim older than this was lost with its sender; whether the SMS left is unknown.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Announcement:
    event_key: str
    phone: str
    template_id: str
    params: dict[str, str]


def enqueue(announcements: list[Announcement], now: dt.datetime | None = None) -> None:
    """Write outbox rows; an event key already queued is not queued again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue inside the transaction of the event it announces")
    when = now or timezone.now()
    rows = [
        OutboxMessage(
            event_key=item.event_key,
            phone=item.phone,
            phone_index=blind_index(item.phone, "phone"),
            template_id=item.template_id,
            params=item.params,
            created_at=when,
        )
        for item in announcements
    ]
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    pending: int
    deferred: int = 0


def per_phone_limits() -> tuple[int, int]:
    """Messages one phone may receive per hour and per day."""
    return (
        int(getattr(settings, "SUNSHINE_SMS_PER_PHONE_PER_HOUR", 10)),
        int(getattr(settings, "SUNSHINE_SMS_PER_PHONE_PER_DAY", 20)),
    )


def backoff(attempts: int, event_key: str) -> dt.timedelta:
    """30 s, 1 min, 2 min … up to an hour, spread by up to 20% so retries do not bunch."""
    delay = min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)
    spread = int(hashlib.sha256(event_key.encode()).hexdigest()[:4], 16) / 0xFFFF * 0.2
    return delay * (1 + spread)


def due(now: dt.datetime, prefix: str | None = None) -> list[int]:
    """Ids of pending messages whose time has come, oldest first."""
    rows = OutboxMessage.objects.filter(status=MessageStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if prefix:
        rows = rows.filter(event_key__startswith=prefix)
    return list(rows.order_by("created_at", "pk").values_list("pk", flat=True))


def send_pending(
    actor: Actor,
    backend: SmsBackend | None = None,
    limit: int = 10_000,
    *,
    now: dt.datetime | None = None,
    prefix: str | None = None,
) -> SendReport:
    """Send the messages that are due; safe to run twice at once or to repeat.

    ``prefix`` limits the run to events whose key starts with it (for instance
    ``"result:12:"`` for the results of admission run 12).
    """
    backend = backend or configured_backend()
    when = now or timezone.now()
    abandon_lost_claims(actor, when)
    counts = {MessageStatus.SENT: 0, MessageStatus.FAILED: 0, "deferred": 0}
    for message_id in due(when, prefix)[:limit]:
        outcome = _send_one(actor, backend, message_id, when)
        if outcome in counts:
            counts[outcome] += 1
    pending = OutboxMessage.objects.filter(status=MessageStatus.PENDING)
    if prefix:
        pending = pending.filter(event_key__startswith=prefix)
    return SendReport(
        sent=counts[MessageStatus.SENT],
        failed=counts[MessageStatus.FAILED],
        pending=pending.count(),
        deferred=counts["deferred"],
    )


def _send_one(actor: Actor, backend: SmsBackend, message_id: int, now: dt.datetime) -> str:
    claimed = _claim(message_id, now)
    if isinstance(claimed, str):
        return claimed
    try:
        provider_id = backend.send(claimed.phone, claimed.template_id, claimed.params)
    except DeliveryFailed as error:
        return _refused(actor, claimed, str(error), now)
    except Exception as error:
        # Any other failure may have happened after the provider took the message.
        return _finish(actor, claimed, MessageStatus.FAILED, now, error=f"uncertain: {error}")
    return _finish(actor, claimed, MessageStatus.SENT, now, provider_id=provider_id)


def _claim(message_id: int, now: dt.datetime) -> OutboxMessage | str:
    """Mark the message as being sent, or say why it is not sent now."""
    hourly, daily = per_phone_limits()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.PENDING:
            return "taken"
        if message.next_attempt_at is not None and message.next_attempt_at > now:
            return "deferred"
        wait_until = _phone_window(message.phone_index, now, hourly, daily)
        if wait_until is not None:
            message.next_attempt_at = wait_until
            message.last_error = "per-phone limit"
            message.save(update_fields=["next_attempt_at", "last_error"])
            return "deferred"
        message.status = MessageStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    return message


def _phone_window(phone_key: str, now: dt.datetime, hourly: int, daily: int) -> dt.datetime | None:
    """When the phone may receive again, if its hourly or daily limit is reached."""
    sent = OutboxMessage.objects.filter(
        phone_index=phone_key, status=MessageStatus.SENT, sent_at__gt=now - dt.timedelta(days=1)
    )
    times = sorted(sent.values_list("sent_at", flat=True))
    last_hour = [t for t in times if t > now - dt.timedelta(hours=1)]
    if len(times) >= daily:
        return times[-daily] + dt.timedelta(days=1)
    if len(last_hour) >= hourly:
        return last_hour[-hourly] + dt.timedelta(hours=1)
    return None


def _refused(actor: Actor, message: OutboxMessage, error: str, now: dt.datetime) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _finish(actor, message, MessageStatus.FAILED, now, error=error)
    return _finish(
        actor,
        message,
        MessageStatus.PENDING,
        now,
        error=error,
        retry_at=now + backoff(message.attempts, message.event_key),
    )


def _finish(
    actor: Actor,
    message: OutboxMessage,
    status: str,
    now: dt.datetime,
    *,
    provider_id: str = "",
    error: str = "",
    retry_at: dt.datetime | None = None,
) -> str:
    with transaction.atomic():
        message.status = status
        message.last_error = error[:200]
        message.next_attempt_at = retry_at
        if status == MessageStatus.SENT:
            message.provider_message_id = provider_id[:64]
            message.sent_at = now
        message.save(
            update_fields=[
                "status",
                "last_error",
                "next_attempt_at",
                "provider_message_id",
                "sent_at",
            ]
        )
        record(
            actor,
            "sms.attempted",
            message,
            template_id=message.template_id,
            status=status,
            attempt=message.attempts,
        )
    return status


def abandon_lost_claims(actor: Actor, now: dt.datetime) -> int:
    """Claims whose sender vanished: the SMS may have left, so they end ``failed``, not resent."""
    lost = list(
        OutboxMessage.objects.filter(
            status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
        ).values_list("pk", flat=True)
    )
    for message_id in lost:
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update().get(pk=message_id)
            if message.status != MessageStatus.SENDING:
                continue
            message.status = MessageStatus.FAILED
            message.last_error = "uncertain: sender lost while sending"
            message.save(update_fields=["status", "last_error"])
            record(actor, "sms.claim_abandoned", message, template_id=message.template_id)
    return len(lost)


def record_delivery(
    actor: Actor,
    provider_message_id: str,
    *,
    delivered: bool,
    at: dt.datetime | None = None,
) -> bool:
    """Store a provider's delivery receipt; False when no message has that provider id."""
    at = at or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(provider_message_id=provider_message_id, status=MessageStatus.SENT)
            .first()
        )
        if message is None or not provider_message_id:
            return False
        message.delivery = Delivery.DELIVERED if delivered else Delivery.UNDELIVERED
        message.delivered_at = at
        message.save(update_fields=["delivery", "delivered_at"])
        record(actor, "sms.delivery_reported", message, delivery=message.delivery)
    return True
