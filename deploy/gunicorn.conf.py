"""Gunicorn settings for the web processes, tuned by environment variables.

``WEB_CONCURRENCY`` processes, each with ``WEB_THREADS`` threads (gunicorn's gthread
worker, which also notes how long each request waited for a thread, for the load
shedding in ``ConcurrencyLimitMiddleware``): a thread waiting on PostgreSQL frees the
CPU for another. Metrics from all processes are
summed through files in ``PROMETHEUS_MULTIPROC_DIR``.
"""

import os
import shutil
from pathlib import Path

# The web processes' few hot queries are prepared once per connection (see settings.py).
os.environ.setdefault("DATABASE_PREPARE_THRESHOLD", "5")

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2)))
worker_class = "sunshine.operations.serving.QueueTimedWorker"
threads = int(os.environ.get("WEB_THREADS", "4"))
# A request that takes longer than this is stuck; the worker is replaced.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows into an outage.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
backlog = 2048
accesslog = None  # the application logs each request itself, without personal data
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
proc_name = "sunshine-web"
wsgi_app = "sunshine.wsgi:application"

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: object) -> None:
    """Start each run with empty metric files, so counters from a previous run don't add up."""
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
