"""The SMS outbox: written in the same transaction as the event it announces."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.privacy.fields import EncryptedTextField


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.TextChoices):
    """What the provider reported later about a sent message (delivery receipt)."""

    UNKNOWN = "", _("未回执")
    DELIVERED = "delivered", _("已送达")
    UNDELIVERED = "undelivered", _("未送达")


class OutboxMessage(models.Model):
    # One event is announced at most once, whatever retries happen.
    event_key = models.CharField(max_length=96, unique=True)
    phone = EncryptedTextField(purpose="outbox.phone")
    phone_index = models.CharField(max_length=32, db_index=True)
    template_id = models.CharField(max_length=32)
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    provider_message_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a failed or rate-limited message may be tried again (exponential backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(
        max_length=12, choices=Delivery.choices, default=Delivery.UNKNOWN, blank=True
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["phone_index", "sent_at"]),
            models.Index(fields=["provider_message_id"]),
        ]
