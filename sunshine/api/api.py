"""API v1 for the other entry points (the province's app, the WeChat mini-program).

The same flows as the parents' pages, through the same services: log-in by
SMS code (same limits), children, drafts, submission with an idempotency key,
status, withdrawal, enrollment confirmation, the admission notice. Every call
carries the client app's key (``X-Client-Key``); a parent's calls also carry
the access token from the SMS log-in (``Authorization: Bearer``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from sunshine.accounts.sms_login import RateLimited
from sunshine.api.routes import applications, auth, children, drafts, public
from sunshine.operations.outage import database_unavailable
from sunshine.portal.services import KeyReused

logger = logging.getLogger(__name__)


class SunshineAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The schema, saying that a parent's token goes with the client app's key."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for requirement in operation.get("security", []):
                    if "ParentToken" in requirement:
                        requirement.setdefault("ClientKey", [])
        return schema


api = SunshineAPI(
    title="阳光招生 Sunshine Enrollment API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api-v1",
)


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"errors": _errors(error), "retry_after": error.retry_after}, status=429
    )
    response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(KeyReused)
def key_reused(request: HttpRequest, error: KeyReused) -> HttpResponse:
    return api.create_response(request, {"errors": _errors(error)}, status=409)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": _errors(error)}, status=422)


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, error: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"errors": {"__all__": [_("未找到")]}}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"errors": {"__all__": [_("无权访问")]}}, status=403)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_away(request: HttpRequest, error: Exception) -> HttpResponse:
    """The database is restarting or failing over: 503, and the app tries again."""
    logger.warning("database unavailable: %s", type(error).__name__)
    return database_unavailable(request)


api.add_router("/auth", auth.router)
api.add_router("/children", children.router)
api.add_router("/rounds", children.rounds_router)
api.add_router("/drafts", drafts.router)
api.add_router("/applications", applications.router)
api.add_router("/public", public.router)
