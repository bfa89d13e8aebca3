"""Faults at small scale: a web worker killed mid-request, the database going away during
submissions, a department that times out, a verification batch killed mid-way.

``deploy/faults/*.sh`` rehearse the same at a larger scale against PostgreSQL, restarting
the real server; here the database is made to go away under one request (its backend
terminated on PostgreSQL, a lost connection raised on SQLite).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from sunshine import testing
from sunshine.applications.models import Application
from sunshine.audit.services import Actor
from sunshine.demo.city import generate_city
from sunshine.operations import faults, opening_day
from sunshine.schools.models import Round
from sunshine.verification import fake_departments as fake
from sunshine.verification.online import OnlineRecords, RetryPolicy
from sunshine.verification.services import verify_round
from sunshine.verification.signing import SigningKey

V1 = "/api/v1"
CHILDREN = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


def households(count: int = CHILDREN) -> list[dict[str, Any]]:
    return [asdict(h) for h in opening_day.seed(count)]


# --- a web worker killed mid-request ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_web_workers_killed_mid_submission_lose_and_double_nothing(tmp_path):
    parents = households()
    port = free_port()
    with testing.database_for_subprocess(tmp_path) as database_url:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sunshine.operations.serving.QueueTimedWorker",  # as in production
                "--threads",
                "2",
                "sunshine.operations.tests.dying_wsgi:application",
            ],
            env={
                **os.environ,
                "DATABASE_URL": database_url,
                "REHEARSE_DEATHS": "mid-transaction,after-commit",
                "REHEARSE_MARKERS": str(tmp_path),
            },
            cwd=settings.BASE_DIR,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/healthz", server)
            outcomes = faults.run_apps(
                f"http://127.0.0.1:{port}", parents, concurrency=2, give_up_after=60
            )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    # One worker died inside a submission's transaction, another after one committed.
    assert (tmp_path / "mid-transaction").exists() and (tmp_path / "after-commit").exists()
    verdict = faults.submissions_verdict("kill_web_worker", outcomes)
    assert verdict["connection_errors"] >= 2
    assert verdict["ok"], verdict
    assert verdict["in_database"] == CHILDREN and verdict["duplicated"] == verdict["lost"] == 0


# --- the database going away under a request ------------------------------------------


def database_goes_away() -> None:
    """Cut this request's database connection as a restart or a failover does."""
    if connection.vendor == "postgresql":
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname=db["NAME"],
            autocommit=True,
        ) as admin:
            pid = connection.connection.info.backend_pid
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def outage() -> Iterator[Callable[[Callable[[str], bool]], Any]]:
    """``outage(when)``: the database goes away at the first statement ``when`` picks."""
    wrappers: list[Any] = []

    def arm(when: Callable[[str], bool]) -> Any:
        fired = []

        def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
            if not fired and when(sql):
                fired.append(sql)
                database_goes_away()
            return execute(sql, *args)

        handle = connection.execute_wrapper(wrapper)
        handle.__enter__()
        wrappers.append(handle)
        return fired

    yield arm
    for handle in wrappers:
        handle.__exit__(None, None, None)


def end_of_request() -> None:
    """What the server does when a request ends (the test client leaves it out): a
    connection that broke is closed, so the next request opens a fresh one."""
    connection.close_if_unusable_or_obsolete()


class PhoneApp:
    def __init__(self, household: dict[str, Any]) -> None:
        self.http = Client()
        self.household = household
        self.headers = {
            "X-Client-Key": household["client_key"],
            "Authorization": f"Bearer {household['access_token']}",
        }

    def send(self, method: str, path: str, body: object) -> Any:
        response = getattr(self.http, method)(
            V1 + path, body, content_type="application/json", headers=self.headers
        )
        end_of_request()
        return response

    def ready_to_submit(self) -> tuple[str, dict[str, Any]]:
        h = self.household
        draft = self.send("post", "/drafts", {"child_id": h["child_id"], "round_id": h["round_id"]})
        draft_id = draft.json()["id"]
        assert self.send("patch", f"/drafts/{draft_id}", h["draft"]).status_code == 200
        return f"/drafts/{draft_id}/submit", {
            "idempotency_key": draft.json()["idempotency_key"],
            "consent": True,
        }


def inserts_the_application(sql: str) -> bool:
    return sql.startswith('INSERT INTO "applications_application"')


@pytest.mark.django_db(transaction=True)
def test_the_database_going_away_mid_submission_answers_503_and_the_retry_submits_once(outage):
    app = PhoneApp(households(1)[0])
    path, body = app.ready_to_submit()
    fired = outage(inserts_the_application)
    cut = app.send("post", path, body)
    assert fired and cut.status_code == 503
    assert cut["Retry-After"] and cut.json()["detail"] == "unavailable"
    assert Application.objects.count() == 0
    retry = app.send("post", path, body)
    assert retry.status_code == 201
    assert list(Application.objects.values_list("pk", flat=True)) == [retry.json()["id"]]


@pytest.mark.django_db(transaction=True)
def test_the_database_going_away_after_the_commit_answers_503_and_the_retry_finds_it(outage):
    app = PhoneApp(households(1)[0])
    path, body = app.ready_to_submit()
    inserted: list[str] = []

    def first_statement_after_the_commit(sql: str) -> bool:
        if inserts_the_application(sql):
            inserted.append(sql)
        return bool(inserted) and not connection.in_atomic_block

    fired = outage(first_statement_after_the_commit)
    cut = app.send("post", path, body)
    assert fired and cut.status_code == 503
    (stored,) = Application.objects.all()
    retry = app.send("post", path, body)
    assert retry.status_code == 201 and retry.json()["id"] == stored.pk
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_the_database_is_away_says_so_and_reloads_itself(outage):
    testing.round_(open_now=True)
    fired = outage(lambda sql: sql.startswith("SELECT"))
    page = Client(raise_request_exception=False).get(
        "/public/schools/", headers={"Accept": "text/html"}
    )
    end_of_request()
    assert fired and page.status_code == 503
    assert page["Retry-After"] and 'http-equiv="refresh"' in page.content.decode()
    assert Client().get("/public/schools/").status_code == 200


# --- a department that times out; a verification batch killed mid-way ------------------

KEY_TEXT = settings.SUNSHINE_DEPARTMENTS_KEY
KEY = SigningKey.parse(KEY_TEXT)


@pytest.fixture
def applied_city() -> Iterator[fake.RunningService]:
    """A small city with every child applied, and its departments online (in memory)."""
    faults.seed_applied_city(children=12, seed=7)
    lookup = fake.city_lookup(generate_city(children=12, seed=7).records)
    service = fake.start(fake.FakeDepartments(lookup, [KEY]))
    yield service
    service.stop()


def verify_everything(service: fake.RunningService) -> None:
    records = OnlineRecords(
        service.url,
        KEY,
        retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, timeout=0.3),
        breaker_threshold=3,
    )
    try:
        for round_ in Round.objects.all():
            verify_round(Actor.system("verification"), round_, records=records)
    finally:
        records.close()


@pytest.mark.django_db
def test_a_department_that_times_out_leaves_checks_waiting_then_settles_them(applied_city):
    applied_city.app.behaviour = fake.Behaviour(
        mode="timeout", departments=frozenset({"police"}), delay_seconds=0.6
    )
    verify_everything(applied_city)
    while_down = faults.verification_verdict("department_timeout_while_down")
    assert while_down["waiting_for_department"] > 0
    assert while_down["in_review"] >= while_down["waiting_for_department"]
    assert while_down["ok"] and while_down["lost"] == while_down["duplicated"] == 0
    applied_city.app.behaviour = fake.Behaviour()
    verify_everything(applied_city)
    recovered = faults.verification_verdict("department_timeout")
    assert recovered["ok"] and recovered["waiting_for_department"] == 0
    assert recovered["applications"] == while_down["applications"]


@pytest.mark.django_db(transaction=True)
def test_a_verification_batch_killed_mid_way_resumes_without_checking_twice(applied_city, tmp_path):
    # Slow answers (well inside the timeout), so the batch is killed while it works.
    applied_city.app.behaviour = fake.Behaviour(mode="timeout", delay_seconds=0.01)
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "verify_round"]
    with testing.database_for_subprocess(tmp_path) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SUNSHINE_DEPARTMENTS_URL": applied_city.url,
            "SUNSHINE_DEPARTMENTS_KEY": KEY_TEXT,
        }
        batch = subprocess.Popen([*command, "--chunk", "3"], env=env)
        try:
            deadline = time.monotonic() + 30
            while applied_city.app.served < 15 and batch.poll() is None:
                assert time.monotonic() < deadline, "the batch asked nothing"
                time.sleep(0.01)
        finally:
            batch.send_signal(signal.SIGKILL)
            batch.wait()
        subprocess.run([*command, "--chunk", "3"], env=env, check=True, timeout=120)
    verdict = faults.verification_verdict("kill_verification_batch")
    assert verdict["ok"] and verdict["lost"] == verdict["duplicated"] == 0
    assert verdict["questions_answered_twice"] == 0
    assert verdict["waiting_for_department"] == 0
