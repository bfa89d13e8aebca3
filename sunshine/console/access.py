"""Who may open a console page: anonymous visitors log in, other roles get 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sunshine.accounts.models import Role, User
from sunshine.audit.services import Actor

STAFF = (Role.SCHOOL, Role.DISTRICT, Role.CITY)
READERS = (*STAFF, Role.OBSERVER)
BUREAUS = (Role.DISTRICT, Role.CITY)

View = Callable[..., HttpResponse]


def roles(*allowed: str) -> Callable[[View], View]:
    """Allow only users whose role is listed; the others get 403, anonymous visitors log in."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def actor(request: HttpRequest) -> Actor:
    return Actor.of_request(request)
