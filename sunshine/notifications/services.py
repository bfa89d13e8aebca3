"""Queueing and sending SMS. Enqueue inside the transaction of the event announced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sunshine.audit.services import Actor, record
from sunshine.notifications.backends import DeliveryFailed, SmsBackend, configured_backend
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.privacy.crypto import blind_index

MAX_ATTEMPTS = 5


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


def send_pending(
    actor: Actor, backend: SmsBackend | None = None, limit: int = 10_000
) -> SendReport:
    """Send queued messages, each claimed under a row lock so no SMS goes out twice."""
    backend = backend or configured_backend()
    sent = failed = 0
    ids = list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        outcome = _send_one(actor, backend, message_id)
        sent += outcome == MessageStatus.SENT
        failed += outcome == MessageStatus.FAILED
    pending = OutboxMessage.objects.filter(status=MessageStatus.PENDING).count()
    return SendReport(sent=sent, failed=failed, pending=pending)


def _send_one(actor: Actor, backend: SmsBackend, message_id: int) -> str:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.PENDING:
            return str(message.status)
        message.attempts += 1
        try:
            message.provider_message_id = backend.send(
                message.phone, message.template_id, message.params
            )
        except DeliveryFailed as error:
            message.last_error = str(error)[:200]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
        message.save()
        record(
            actor,
            "sms.attempted",
            message,
            template_id=message.template_id,
            status=message.status,
            attempt=message.attempts,
        )
        return str(message.status)
