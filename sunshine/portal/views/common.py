"""What every parents' page shares: who may come in, and how errors reach the form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sunshine.accounts.models import Role, User
from sunshine.audit.services import Actor
from sunshine.privacy.crypto import blind_index

View = Callable[..., HttpResponse]


def parent_required(view: View) -> View:
    """Parents only; others are sent to the SMS log-in, staff are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if getattr(user, "role", None) != Role.PARENT:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def parent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def actor_of(request: HttpRequest) -> Actor:
    """The parent as an audit actor; the source is a keyed hash, never the raw address."""
    return Actor.of_user(
        request.user, source=blind_index(client_address(request), "client-address")
    )


def errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}
