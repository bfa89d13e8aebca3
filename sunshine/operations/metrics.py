"""Prometheus series for the web processes.

Under gunicorn each worker is its own process; when ``PROMETHEUS_MULTIPROC_DIR`` is set,
prometheus_client keeps the series in files there and ``/metrics`` sums them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

# Buckets in seconds, dense around the 500 ms goal for p99.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "sunshine_http_requests_total",
    "HTTP requests answered, by view, method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "sunshine_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
QUEUE_WAIT = Histogram(
    "sunshine_http_queue_wait_seconds",
    "Time a request waited in the application server's queue for a free thread.",
    buckets=LATENCY_BUCKETS,
)
SERVER_ERRORS = Counter(
    "sunshine_http_server_errors_total",
    "Responses with a 5xx status, by view.",
    ["view"],
)
SHED = Counter(
    "sunshine_http_shed_total",
    "Requests turned away with 429 because the process was overloaded.",
)


def exposition() -> tuple[bytes, str]:
    """The current series in the Prometheus text format, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
