"""Request metrics, access logs without personal data, and load shedding."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sunshine.operations import metrics, queue_wait
from sunshine.operations.retry import SAFE_METHODS, come_back_later

access_log = logging.getLogger("sunshine.access")

# Paths of the operations endpoints themselves: never shed, never counted as traffic.
OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_NUMBER_SEGMENT = re.compile(r"(?<=/)\d+(?=/|$)")
_LONG_SEGMENT = re.compile(r"(?<=/)[^/]{16,}(?=/|$)")


def masked_path(path: str) -> str:
    """The path with numbered segments and long tokens replaced, so no identifier reaches a log."""
    return _NUMBER_SEGMENT.sub(":n", _LONG_SEGMENT.sub(":token", path))


def view_label(request: HttpRequest) -> str:
    """The URL pattern's name: a bounded label set, unlike raw paths."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or "unnamed"


Middleware = Callable[[HttpRequest], HttpResponse]
# Weight of the newest request in the recent mean: about the last twenty count.
_RECENT_WEIGHT = 0.05


class RequestMetricsMiddleware:
    """Counts, times and logs every request, by view; the query string is never logged."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path in OPERATIONS_PATHS:
            return response
        elapsed = time.perf_counter() - started
        view = view_label(request)
        metrics.QUEUE_WAIT.observe(queue_wait.waited())
        metrics.REQUESTS.labels(view, request.method, f"{response.status_code // 100}xx").inc()
        metrics.LATENCY.labels(view, request.method).observe(elapsed)
        if response.status_code >= 500:
            metrics.SERVER_ERRORS.labels(view).inc()
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": masked_path(request.path),
                "view": view,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response


class ConcurrencyLimitMiddleware:
    """Turns requests away with 429 once this process is overloaded.

    Three signals, each off at 0: more requests in flight than
    ``SUNSHINE_MAX_CONCURRENT_REQUESTS``; a recent mean time per request above
    ``SUNSHINE_SHED_AFTER_MS``; a read that already waited longer than
    ``SUNSHINE_SHED_AFTER_QUEUED_MS`` in the server's queue for a thread (``queue_wait``).
    The mean follows what families feel once the cores are saturated: every request
    slows down, whatever the thread count. The wait in the queue is the signal past the
    machine's capacity, when requests pile up before Django sees them; answering those
    at once empties the queue, as a router drops packets that sat too long in its
    buffer. It has its own threshold because it answers another question than the
    mean: set it to several times an ordinary request's time on an idle machine, so
    that a read waiting it out found a standing queue, not a busy moment. Each read
    turned away counts as a quick answer in the mean, so shedding eases off by itself
    as soon as the remaining requests are fast again.

    Reads are shed first; writes (saving a draft, submitting) may use a reserve above
    the in-flight limit and are never shed for slowness, so a family's typed answers
    are not the first thing lost under load. A browser gets a small 排队中 page that
    retries by itself; API clients get ``Retry-After``.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response
        self.limit = int(getattr(settings, "SUNSHINE_MAX_CONCURRENT_REQUESTS", 0))
        self.write_reserve = int(getattr(settings, "SUNSHINE_WRITE_RESERVE", 0))
        self.retry_after_seconds = int(getattr(settings, "SUNSHINE_RETRY_AFTER_SECONDS", 3))
        self.shed_after_seconds = int(getattr(settings, "SUNSHINE_SHED_AFTER_MS", 0)) / 1000
        self.shed_after_queued_seconds = (
            int(getattr(settings, "SUNSHINE_SHED_AFTER_QUEUED_MS", 0)) / 1000
        )
        self.switched_off = self.limit <= 0 and not (
            self.shed_after_seconds or self.shed_after_queued_seconds
        )
        self._in_flight = 0
        self._recent_seconds = 0.0  # mean time per request, weighted to the latest
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.switched_off or request.path in OPERATIONS_PATHS:
            return self.get_response(request)
        read = request.method in SAFE_METHODS
        with self._lock:
            admitted = self._admits(read, queue_wait.waited())
            if admitted:
                self._in_flight += 1
            else:
                self._recent_seconds *= 1 - _RECENT_WEIGHT
        if not admitted:
            metrics.SHED.inc()
            return self._busy(request)
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self._in_flight -= 1
                self._recent_seconds += (elapsed - self._recent_seconds) * _RECENT_WEIGHT

    def _admits(self, read: bool, waited_seconds: float) -> bool:
        if self.limit > 0:
            ceiling = self.limit if read else self.limit + self.write_reserve
            if self._in_flight >= ceiling:
                return False
        slow = self.shed_after_seconds and self._recent_seconds > self.shed_after_seconds
        queued = self.shed_after_queued_seconds and waited_seconds > self.shed_after_queued_seconds
        return not (read and (slow or queued))

    def _busy(self, request: HttpRequest) -> HttpResponse:
        return come_back_later(
            request,
            status=429,
            seconds=self.retry_after_seconds,
            template="operations/busy.html",
            detail="busy",
            message="排队中，请稍候",
        )
