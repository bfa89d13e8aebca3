"""The production server past its capacity: requests that waited for a thread count.

A real gunicorn runs ``deploy/gunicorn.conf.py`` with one process and one thread, so
that one slow request makes the next ones wait in gunicorn's queue, outside Django.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from sunshine import testing
from sunshine.operations.tests.test_faults import free_port, wait_until_answering

HOLD_SECONDS = 0.6


def _metric(exposition: str, name: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} is not exposed")


@pytest.mark.django_db(transaction=True)
def test_a_read_that_waited_too_long_for_a_thread_is_turned_away_and_a_write_is_not(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hold_started = tmp_path / "hold-started"
    with testing.database_for_subprocess(tmp_path) as database_url:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "sunshine.operations.tests.held_wsgi:application",
            ],
            env={
                **os.environ,
                "DATABASE_URL": database_url,
                "BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": "1",
                "WEB_THREADS": "1",
                "HOLD_SECONDS": str(HOLD_SECONDS),
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
                "HOLD_STARTED": str(hold_started),
                "SUNSHINE_MAX_CONCURRENT_REQUESTS": "0",
                "SUNSHINE_SHED_AFTER_MS": "0",
                "SUNSHINE_SHED_AFTER_QUEUED_MS": "200",
            },
            cwd=settings.BASE_DIR,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_answering(f"{base}/healthz", server)
            answers: dict[str, httpx.Response] = {}

            def send(name: str, method: str, path: str) -> None:
                answers[name] = httpx.request(method, base + path, timeout=10)

            holder = threading.Thread(target=send, args=("held", "GET", "/hold"))
            holder.start()
            deadline = time.monotonic() + 10
            while not hold_started.exists() and time.monotonic() < deadline:
                time.sleep(0.005)
            # Both wait behind the held request on the only thread.
            queued = [
                threading.Thread(target=send, args=(name, method, "/public/no-such-page/"))
                for name, method in (("read", "GET"), ("write", "POST"))
            ]
            for thread in queued:
                thread.start()
            for thread in [holder, *queued]:
                thread.join(10)
            # Nothing waits any more: the next read is taken up.
            after = httpx.get(f"{base}/public/no-such-page/", timeout=10)
            exposition = httpx.get(f"{base}/metrics", timeout=10).text
        finally:
            server.terminate()
            server.wait(30)
    read, write = answers["read"], answers["write"]
    assert read.status_code == 429
    assert read.headers["Retry-After"] == "3"
    assert read.json()["message"] == "排队中，请稍候"
    assert write.status_code != 429, "writes are never shed for slowness"
    assert after.status_code == 404
    observed = _metric(exposition, "sunshine_http_queue_wait_seconds_count")
    quick = _metric(exposition, 'sunshine_http_queue_wait_seconds_bucket{le="0.3"}')
    assert observed == 3  # the queued read and write, and the read after
    assert quick == 1, "the read and the write behind the held request waited over 0.3 s"
