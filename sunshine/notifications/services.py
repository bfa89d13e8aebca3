"""Queueing and sending SMS. Enqueue inside the transaction of the event announced.

One event is one outbox row (its key is unique), and one row is at most one
SMS: a message is claimed (``sending``) and committed before the provider is
called, so a crash or a second sender never sends it again blindly. A provider
that refuses (``DeliveryFailed``) is asked again later, with exponential backoff.

An outcome nobody knows — a lost answer, a 5xx, or a sender that died holding
its claim — is settled with the provider when it can tell: each message goes out
under our reference (``reference_of``), and ``reconcile_claims`` asks the provider
whether it took a message with that reference. Taken → ``sent``; never taken →
``pending`` again, to be sent; the provider cannot tell → ``failed`` with
"uncertain", for a person to decide, never resent blindly. Messages to one phone
are limited per hour and per day, as providers and courtesy require; over the
limit they wait.
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
from sunshine.notifications.backends import (
    CANNOT_TELL,
    DeliveryFailed,
    ProviderAnswer,
    SmsBackend,
    TraceableBackend,
    configured_backend,
)
from sunshine.notifications.models import Delivery, MessageStatus, OutboxMessage
from sunshine.privacy.crypto import blind_index

MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
# A claim older than this was lost with its sender; whether the SMS left is unknown.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
# A provider that cannot be asked about a lost claim for this long leaves it to a person.
RECONCILE_GIVE_UP = dt.timedelta(days=1)


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
    unknown: int = 0  # outcomes to settle with the provider later


def claim_timeout() -> dt.timedelta:
    return dt.timedelta(
        seconds=float(getattr(settings, "SUNSHINE_SMS_CLAIM_TIMEOUT_SECONDS", 0))
        or CLAIM_TIMEOUT.total_seconds()
    )


def reference_of(message: OutboxMessage) -> str:
    """Our reference for the message at the provider: opaque, stable, one per event."""
    return "sx" + hashlib.sha256(message.event_key.encode()).hexdigest()[:30]


def per_phone_limits() -> tuple[int, int]:
    """Messages one phone may receive per hour and per day."""
    return (
        int(getattr(settings, "SUNSHINE_SMS_PER_PHONE_PER_HOUR", 10)),
        int(getattr(settings, "SUNSHINE_SMS_PER_PHONE_PER_DAY", 20)),
    )


def backoff(attempts: int, event_key: str) -> dt.timedelta:
    """30 s, 1 min, 2 min … up to an hour, spread by up to 20% so retries do not bunch."""
    base = dt.timedelta(
        seconds=float(getattr(settings, "SUNSHINE_SMS_RETRY_BASE_SECONDS", 0))
        or BACKOFF_BASE.total_seconds()
    )
    delay = min(base * 2 ** max(0, attempts - 1), BACKOFF_CAP)
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
    reconcile_claims(actor, backend, when)
    counts = {MessageStatus.SENT: 0, MessageStatus.FAILED: 0, "deferred": 0, "unknown": 0}
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
        unknown=counts["unknown"],
    )


def _send_one(actor: Actor, backend: SmsBackend, message_id: int, now: dt.datetime) -> str:
    claimed = _claim(message_id, now)
    if isinstance(claimed, str):
        return claimed
    try:
        provider_id = backend.send(
            claimed.phone, claimed.template_id, claimed.params, reference=reference_of(claimed)
        )
    except DeliveryFailed as error:
        return _refused(actor, claimed, str(error), now)
    except Exception as error:
        # Any other failure may have happened after the provider took the message.
        if isinstance(backend, TraceableBackend):
            # Ask the provider once it has had time to record what it took.
            retry_at = now + backoff(claimed.attempts, claimed.event_key)
            return _finish(
                actor,
                claimed,
                MessageStatus.SENDING,
                now,
                error=f"uncertain: {error}",
                retry_at=retry_at,
            )
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
        message.next_attempt_at = None
        message.save(update_fields=["status", "claimed_at", "attempts", "next_attempt_at"])
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
    claimed: OutboxMessage,
    status: str,
    now: dt.datetime,
    *,
    provider_id: str = "",
    error: str = "",
    retry_at: dt.datetime | None = None,
) -> str:
    """Record the outcome of a send, unless the claim was settled meanwhile by another."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=claimed.pk)
        if not _still_claimed(message, claimed):
            # Too slow: a reconciliation settled the claim; tell a person what happened.
            record(actor, "sms.outcome_after_claim_settled", message, outcome=status)
            return "taken"
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
            status="unknown" if status == MessageStatus.SENDING else status,
            attempt=message.attempts,
        )
    return "unknown" if status == MessageStatus.SENDING else status


def _still_claimed(message: OutboxMessage, claim: OutboxMessage) -> bool:
    return (
        message.status == MessageStatus.SENDING
        and message.claimed_at == claim.claimed_at
        and message.attempts == claim.attempts
    )


def reconcile_claims(actor: Actor, backend: SmsBackend, now: dt.datetime) -> int:
    """Settle the messages sent without a known outcome, asking the provider about each.

    Those are claims whose sender vanished (older than the claim timeout) and sends
    whose answer was lost, once their time to ask has come. Returns how many were looked at.
    """
    unsettled = list(
        OutboxMessage.objects.filter(status=MessageStatus.SENDING)
        .filter(Q(claimed_at__lt=now - claim_timeout()) | Q(next_attempt_at__lte=now))
        .order_by("claimed_at", "pk")
    )
    for claim in unsettled:
        _settle_claim(actor, claim, _ask_provider(backend, claim), now)
    return len(unsettled)


def _ask_provider(backend: SmsBackend, claim: OutboxMessage) -> ProviderAnswer | None:
    """The provider's answer about the claimed message; None when it cannot be asked now."""
    if not isinstance(backend, TraceableBackend) or claim.claimed_at is None:
        return CANNOT_TELL
    day = timezone.localtime(claim.claimed_at).date().isoformat()
    try:
        return backend.find(reference_of(claim), claim.phone, day)
    except Exception:
        return None


def _settle_claim(
    actor: Actor, claim: OutboxMessage, answer: ProviderAnswer | None, now: dt.datetime
) -> None:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=claim.pk)
        if not _still_claimed(message, claim):
            return
        fields = ["status", "last_error", "next_attempt_at"]
        if answer is None:
            assert message.claimed_at is not None
            if message.claimed_at < now - RECONCILE_GIVE_UP:
                answer = CANNOT_TELL
            else:
                message.next_attempt_at = now + backoff(message.attempts, message.event_key)
                message.save(update_fields=["next_attempt_at"])
                record(actor, "sms.reconcile_deferred", message, template_id=message.template_id)
                return
        if answer.accepted is None:
            message.status = MessageStatus.FAILED
            message.last_error = "uncertain: sent or not, the provider cannot tell"
            message.next_attempt_at = None
            event = "sms.claim_abandoned"
        elif answer.accepted:
            message.status = MessageStatus.SENT
            message.last_error = ""
            message.next_attempt_at = None
            message.provider_message_id = answer.provider_message_id[:64]
            message.sent_at = message.claimed_at
            fields += ["provider_message_id", "sent_at"]
            event = "sms.reconciled"
        elif message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            message.last_error = "the provider did not take it"
            message.next_attempt_at = None
            event = "sms.reconciled"
        else:
            message.status = MessageStatus.PENDING
            message.last_error = "the provider did not take it; to be sent again"
            message.next_attempt_at = None
            event = "sms.reconciled"
        message.save(update_fields=fields)
        record(
            actor,
            event,
            message,
            template_id=message.template_id,
            status=message.status,
            attempt=message.attempts,
        )


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
