"""Gunicorn's threaded worker, noting how long each request waits for a free thread.

``deploy/gunicorn.conf.py`` names this class as the worker. It relies on two methods
of gunicorn's ``ThreadWorker`` (``enqueue_req`` and ``handle``); the version is pinned
in the lock file and ``test_serving`` runs a real server through it.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from sunshine.operations import queue_wait


class QueueTimedWorker(ThreadWorker):
    def enqueue_req(self, conn: Any) -> None:
        conn.sunshine_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        queued_at = getattr(conn, "sunshine_queued_at", None)
        queue_wait.note(0.0 if queued_at is None else time.monotonic() - queued_at)
        return super().handle(conn)

    def handle_http2_request(self, *args: Any) -> Any:
        # One ``handle`` call serves every stream of an HTTP/2 connection: only the
        # first stream waited in the queue, so the later ones start from zero.
        try:
            return super().handle_http2_request(*args)
        finally:
            queue_wait.note(0.0)
