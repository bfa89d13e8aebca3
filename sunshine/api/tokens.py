"""Issuing and checking client keys and parents' access tokens. Writes are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TypeGuard

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sunshine import handwritten
from sunshine.accounts.models import Role, User
from sunshine.api.models import AccessToken, ClientApp
from sunshine.audit.services import Actor, record
from sunshine.handwritten import Table

TOKEN_LIFETIME = dt.timedelta(hours=2)
CLIENT_KEY_PREFIX = "sck_"
ACCESS_TOKEN_PREFIX = "sat_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_client_app(actor: Actor, name: str) -> tuple[ClientApp, str]:
    """Register a client app; the key is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写客户端名称"})
    key = CLIENT_KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if ClientApp.objects.filter(name=name).exists():
            raise ValidationError({"name": "该客户端名称已存在"})
        client = ClientApp.objects.create(
            name=name, key_hash=digest(key), created_at=timezone.now()
        )
        record(actor, "api.client_created", client, name=name)
    return client, key


def _well_formed(secret: str | None, prefix: str) -> TypeGuard[str]:
    return secret is not None and secret.startswith(prefix) and len(secret) <= 128


def client_for_key(key: str | None) -> ClientApp | None:
    if not _well_formed(key, CLIENT_KEY_PREFIX):
        return None
    return ClientApp.objects.filter(key_hash=digest(key), active=True).first()


def issue_access_token(
    client: ClientApp, user: User, now: dt.datetime | None = None
) -> tuple[AccessToken, str]:
    now = now or timezone.now()
    token = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = AccessToken.objects.create(
            client=client,
            user=user,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
        record(
            Actor(user.get_username(), user.role, f"client:{client.pk}"),
            "api.token_issued",
            row,
            client=client.name,
        )
    return row, token


# What an API call reads; the rest (the timestamps, the hashes) stays deferred and
# loads on first use.
_TOKEN = Table(AccessToken, "t", ("id", "client_id", "user_id"))
_CLIENT = Table(ClientApp, "c", ("id", "name"))
_USER = Table(User, "u", ("id", "username", "role", "district_id", "school_id", "phone"))
_TOKEN_CHECK = handwritten.Select(
    (_TOKEN, _CLIENT, _USER),
    f"FROM {_TOKEN.name}"
    f" INNER JOIN {_CLIENT.name} ON {_CLIENT.column('id')} = {_TOKEN.column('client')}"
    f" INNER JOIN {_USER.name} ON {_USER.column('id')} = {_TOKEN.column('user')}"
    f" WHERE {_TOKEN.column('token_hash')} = %s AND {_CLIENT.column('key_hash')} = %s"
    f" AND {_CLIENT.column('active')} = %s AND {_TOKEN.column('revoked_at')} IS NULL"
    f" AND {_TOKEN.column('expires_at')} > %s AND {_USER.column('is_active')} = %s"
    # Tokens are issued to parents; an account that became staff keeps none.
    f" AND {_USER.column('role')} = %s",
)


def token_for(
    client_key: str | None, token: str, now: dt.datetime | None = None
) -> AccessToken | None:
    """The live token issued to the active client app holding ``client_key``, or None
    (unknown, expired, revoked, another client's, a client app switched off, or an account
    that is no longer an active parent's), with its client app and user.

    Every API call of a parent starts here, so its one query is written by hand
    (see :mod:`sunshine.handwritten`).
    """
    now = now or timezone.now()
    if not _well_formed(client_key, CLIENT_KEY_PREFIX) or not _well_formed(
        token, ACCESS_TOKEN_PREFIX
    ):
        return None
    found = _TOKEN_CHECK.first(
        [
            digest(token),
            digest(client_key),
            handwritten.parameter(ClientApp, "active", True),
            handwritten.parameter(AccessToken, "expires_at", now),
            handwritten.parameter(User, "is_active", True),
            Role.PARENT.value,
        ]
    )
    if found is None:
        return None
    row, client, user = found
    handwritten.attach(row, "client", client)
    handwritten.attach(row, "user", user)
    return row


def revoke(row: AccessToken, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        AccessToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=now)
        record(
            Actor(row.user.get_username(), row.user.role, f"client:{row.client_id}"),
            "api.token_revoked",
            row,
        )
