"""Liveness, readiness and metrics endpoints for the load balancer and Prometheus."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sunshine.operations import metrics

logger = logging.getLogger(__name__)
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})
_migrations_known_applied = False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; nothing else is checked, so a slow database never kills it."""
    return JsonResponse({"status": "ok"})


def unapplied_migrations() -> int:
    """How many migrations the code has that the database does not."""
    global _migrations_known_applied
    if _migrations_known_applied:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    # A deployment restarts the processes, so once applied stays applied for this one.
    _migrations_known_applied = pending == 0
    return pending


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to take traffic: the database answers and every migration is applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = unapplied_migrations()
    except DatabaseError:
        logger.warning("readiness check: database unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "unapplied_migrations": pending},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def may_read_metrics(request: HttpRequest) -> bool:
    """Loopback callers, or callers presenting ``SUNSHINE_METRICS_TOKEN`` as a bearer token."""
    token = getattr(settings, "SUNSHINE_METRICS_TOKEN", "")
    if token:
        presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(presented.encode(), token.encode()):
            return True
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK_ADDRESSES


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponse(status=403)
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)
