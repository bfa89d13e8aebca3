"""What the parents' front doors (pages and API) keep between visits: drafts and receipts."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.db import models

from sunshine.privacy.fields import EncryptedTextField


def new_idempotency_key() -> str:
    return secrets.token_hex(16)


class Draft(models.Model):
    """An application being written, saved at every step and while typing.

    It holds addresses and certificate numbers, so it is encrypted like the
    application itself. ``idempotency_key`` is the key the next submission of
    this draft will carry; it changes after each successful submission so that
    an edit is a new request and a double tap is the same one.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("applications.Child", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey("schools.Round", on_delete=models.CASCADE, related_name="+")
    data_json = EncryptedTextField(purpose="portal.draft", default="{}")
    step = models.CharField(max_length=16, default="address")
    idempotency_key = models.CharField(max_length=64, default=new_idempotency_key)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "child", "round"], name="one_draft_per_child_and_round"
            )
        ]

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data_json or "{}")
        return loaded


class SubmissionReceipt(models.Model):
    """One submission under one idempotency key: a retry gets the same application back.

    ``scope`` is the account the key belongs to, so the pages and the API share
    it; ``request_sha256`` tells a true retry from a different request that
    reuses a key.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    request_sha256 = models.CharField(max_length=64)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    privacy_notice = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_submission_per_key")
        ]
