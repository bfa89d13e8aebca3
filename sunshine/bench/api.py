"""``sunshine bench api``: the CPU each call of the opening-day flow costs, in one process.

A small opening-day city is seeded on a fresh database (SQLite in a temporary folder, or
the PostgreSQL database named by ``--database-url``, which is emptied first); then each
parent goes through the flow of the load test (deploy/locustfile.py) by Django's test
client, production settings and the whole middleware stack included, with no network
and no other process. Thread CPU time, unlike requests per second, does not depend on
what else the machine is doing, so two commits compare on one machine one after the
other. The figures: each call's median CPU and query count, and their mean weighted by
how often a parent of the load test makes each call.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sunshine.bench.measure import emit, median, peak_rss_mb, production_settings

# Calls per parent in the load test: one pass through the application (log-in check,
# children, open, three autosaves, submit, seven polls) and, for its 13 steps, 6.5 reads
# of the public pages, three schools pages to one timetable.
CALLS_PER_PARENT = {
    "me": 1,
    "children": 1,
    "open_draft": 1,
    "save_draft": 3,
    "submit": 1,
    "poll": 7,
    "schools_page": 4.875,
    "timetable_page": 1.625,
}
# As the web processes serve (deploy/gunicorn.conf.py): connections kept, hot queries
# prepared; requests come from the test client's host.
_SERVING = {
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "CONN_MAX_AGE": "600",
    "DATABASE_PREPARE_THRESHOLD": "5",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sunshine bench api", description=__doc__)
    parser.add_argument("--parents", type=int, default=120, help="parents measured")
    parser.add_argument("--children", type=int, default=400, help="children in the city")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to empty and use (default: SQLite in a temporary folder)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sunshine-bench-") as folder:
        os.environ.update({**production_settings(), **_SERVING})
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{Path(folder) / 'api.db'}"
        os.environ["SUNSHINE_VAR_DIR"] = folder
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
        import django

        django.setup()
        from django.core.management import call_command

        if args.database_url:
            call_command("ensure_database", verbosity=0)
            call_command("flush", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False)
        # Production settings serve static files by their hashed names.
        call_command("collectstatic", verbosity=0, interactive=False)
        from sunshine.operations.opening_day import seed

        households = seed(args.children)[: args.parents]
        cpu_ms, queries = _measure(households)
    calls = {name: median(values) for name, values in cpu_ms.items()}
    per_parent = sum(CALLS_PER_PARENT.values())
    mix = sum(calls[name] * count for name, count in CALLS_PER_PARENT.items()) / per_parent
    emit(
        {
            "database": "postgresql" if args.database_url else "sqlite",
            "parents": len(households),
            **{f"{name}_cpu_ms_median": round(value, 3) for name, value in calls.items()},
            **{f"{name}_queries": count for name, count in queries.items()},
            "mix_cpu_ms_per_request": round(mix, 3),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    )
    return 0


def _measure(households: list[Any]) -> tuple[dict[str, list[float]], dict[str, int]]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_X_END_USER_ADDRESS="198.51.100.7")
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, int] = {}

    def call(name: str, method: str, path: str, household: Any = None, body: Any = None) -> Any:
        headers: dict[str, str] = {}
        if household is not None:
            headers["X-Client-Key"] = household.client_key
            headers["Authorization"] = f"Bearer {household.access_token}"
        send = getattr(client, method)
        reset_queries()  # the log keeps only the last 9,000
        started = time.thread_time()
        with CaptureQueriesContext(connection) as captured:
            if body is None:
                response = send(path, headers=headers)
            else:
                data = json.dumps(body)
                response = send(path, data, content_type="application/json", headers=headers)
        cpu_ms[name].append((time.thread_time() - started) * 1000)
        queries[name] = len(captured)
        if response.status_code >= 300:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:200]!r}")
        return response.json() if household is not None else None

    for parent in households:
        call("schools_page", "get", "/public/schools/")
        call("timetable_page", "get", "/public/timetable/")
        call("me", "get", "/api/v1/auth/me", parent)
        call("children", "get", "/api/v1/children", parent)
        body = {"child_id": parent.child_id, "round_id": parent.round_id}
        draft = call("open_draft", "post", "/api/v1/drafts", parent, body)
        fields = sorted(parent.draft.items())
        for part in range(3):
            values = dict(fields[part::3])
            call("save_draft", "patch", f"/api/v1/drafts/{draft['id']}", parent, values)
        body = {"idempotency_key": draft["idempotency_key"], "consent": True}
        submitted = call("submit", "post", f"/api/v1/drafts/{draft['id']}/submit", parent, body)
        for _ in range(int(CALLS_PER_PARENT["poll"])):
            call("poll", "get", f"/api/v1/applications/{submitted['id']}", parent)
    return cpu_ms, queries
