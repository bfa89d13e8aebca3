"""Who is calling: a client app by its key, and a parent by the access token it holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from sunshine.accounts.models import User
from sunshine.api.models import AccessToken, ClientApp
from sunshine.api.tokens import client_for_key, token_for
from sunshine.audit.services import Actor
from sunshine.privacy.crypto import blind_index

CLIENT_HEADER = "X-Client-Key"
END_USER_HEADER = "X-End-User-Address"


class ClientKey(APIKeyHeader):
    """The client app's key, sent with every call."""

    param_name = CLIENT_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> ClientApp | None:
        return client_for_key(key)


class ParentToken(HttpBearer):
    """A parent's bearer token; it is valid only with the key of the client app it was
    issued to (the ``X-Client-Key`` header)."""

    def __call__(self, request: HttpRequest) -> AccessToken | None:
        # Parsed here rather than by the base class, which logs malformed headers whole.
        scheme, _, token = (request.headers.get(self.header) or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> AccessToken | None:
        return token_for(request.headers.get(CLIENT_HEADER), token)


def parent_of(request: HttpRequest) -> User:
    auth: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, AccessToken)
    return auth.user


def client_of(request: HttpRequest) -> ClientApp:
    auth: Any = request.auth  # type: ignore[attr-defined]
    return auth.client if isinstance(auth, AccessToken) else auth


def end_user_address(request: HttpRequest) -> str:
    """Rate limits count per client app and per end user's address the app reports.

    A client app calls from its own servers for many parents; it passes each
    parent's address in ``X-End-User-Address`` (it is authenticated, so trusted).
    """
    reported = (request.headers.get(END_USER_HEADER) or "").strip()[:64]
    address = reported or str(request.META.get("REMOTE_ADDR", ""))
    return f"client:{client_of(request).pk}:{address}"


def actor_of(request: HttpRequest) -> Actor:
    """The parent as an audit actor; the source is a keyed hash of the end user's address."""
    user = parent_of(request)
    source = blind_index(end_user_address(request), "client-address")
    return Actor(user.get_username(), user.role, source)
