"""Client applications allowed to call the API, and parents' access tokens in them.

Only SHA-256 hashes of keys and tokens are stored: they are 256-bit random
values, so a hash cannot be reversed and a copy of the database opens nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ClientApp(models.Model):
    """An entry point (the province's app, the WeChat mini-program) with its own key."""

    name = models.CharField(max_length=64, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class AccessToken(models.Model):
    """A parent's log-in inside one client app, obtained with an SMS code."""

    client = models.ForeignKey(ClientApp, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
