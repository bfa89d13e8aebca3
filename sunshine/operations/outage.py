"""A database that is away for a moment (a restart, a failover) answers 503, not a traceback.

The client is told to come back (``Retry-After``); an app retries a submission with the
same idempotency key, so a submission cut off by the outage is made exactly once,
whether or not its transaction had committed before the connection went.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

from sunshine.operations.retry import come_back_later

RETRY_AFTER_SECONDS = 5
# Lost connections, a server shutting down or starting, lock and serialization
# failures: errors a later try does not repeat.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON for apps, a page for browsers."""
    return come_back_later(
        request,
        status=503,
        seconds=RETRY_AFTER_SECONDS,
        template="operations/unavailable.html",
        detail="unavailable",
        message="系统暂时不可用，请稍后重试",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 when the error is the database being away, else the usual 500."""
    if isinstance(sys.exc_info()[1], TRANSIENT_DATABASE_ERRORS):
        return database_unavailable(request)
    return django_server_error(request)
