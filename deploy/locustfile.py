"""Opening-day traffic: parents log in, read schools, save drafts, submit and poll.

Each simulated parent takes one household from ``LOAD_HOUSEHOLDS`` (written by
``manage.py seed_opening_day``) and works through the application as a phone app
does over API v1, with the public school pages read on the way. Submitted
applications are appended to ``LOAD_SUBMITTED`` for the exactly-once check.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, events, task

API = "/api/v1"
HOUSEHOLDS = [
    json.loads(line)
    for line in Path(os.environ["LOAD_HOUSEHOLDS"]).read_text(encoding="utf-8").splitlines()
]
SUBMITTED = Path(os.environ["LOAD_SUBMITTED"])
# Writes told to come back later (429) are retried this many times, as a client app does.
WRITE_RETRIES = 5
_next_household = iter(HOUSEHOLDS)
_claim_lock = threading.Lock()
_submitted_lock = threading.Lock()


def claim_household() -> dict[str, Any] | None:
    with _claim_lock:
        return next(_next_household, None)


MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "200000"))
_requests_seen = {"count": 0}
_environment: dict[str, Any] = {}


@events.init.add_listener
def _remember_environment(environment: Any, **_: Any) -> None:
    _environment["current"] = environment


@events.request.add_listener
def _stop_at_the_request_bound(**_: Any) -> None:
    """Bound the run by request count as well as by time."""
    _requests_seen["count"] += 1
    runner = _environment["current"].runner
    if _requests_seen["count"] == MAX_REQUESTS and runner is not None:
        # Quit from a fresh greenlet: this one belongs to a user the runner will stop.
        gevent.spawn(runner.quit)


class Parent(FastHttpUser):
    wait_time = between(0.3, 1.2)
    # Behind a TLS-terminating proxy in production; here the proxy's header says so.
    default_headers = {"X-Forwarded-Proto": "https", "X-End-User-Address": "198.51.100.7"}

    def on_start(self) -> None:
        self.household: dict[str, Any] | None = None
        self.application_id: int | None = None
        self.step = 0
        self._next_parent()

    def _next_parent(self) -> None:
        self.household = claim_household()
        self.application_id = None
        self.step = 0

    def _headers(self) -> dict[str, str]:
        assert self.household is not None
        return {
            "X-Client-Key": self.household["client_key"],
            "Authorization": f"Bearer {self.household['access_token']}",
        }

    def _write(self, method: str, path: str, body: dict[str, Any], name: str) -> Any:
        for _ in range(WRITE_RETRIES):
            with self.client.request(
                method,
                API + path,
                json=body,
                headers=self._headers(),
                name=name,
                catch_response=True,
            ) as response:
                if response.status_code == 429:
                    response.success()
                    time.sleep(float(response.headers.get("Retry-After", "1")))
                    continue
                if response.status_code >= 400:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                return response
        return None

    def _read(self, path: str, name: str, headers: dict[str, str] | None = None) -> None:
        """A read; told to come back later (429), the parent waits as the page and the app
        do, and goes on. The 429 stays a failure in the figures."""
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code == 429:
                response.failure("429: come back later")
                time.sleep(float(response.headers.get("Retry-After", "1")))

    @task(3)
    def read_schools(self) -> None:
        self._read("/public/schools/", "public schools page")

    @task(1)
    def read_timetable(self) -> None:
        self._read("/public/timetable/", "public timetable page")

    @task(8)
    def apply(self) -> None:
        """One step of the application, in order; after submission, poll the status."""
        if self.household is None:
            self.read_schools()
            return
        household = self.household
        if self.application_id is not None:
            self._read(f"{API}/applications/{self.application_id}", "poll status", self._headers())
            self.step += 1
            if self.step > 12:
                self._next_parent()
            return
        if self.step == 0:
            self._read(f"{API}/auth/me", "log in (me)", self._headers())
            self._read(f"{API}/children", "my children", self._headers())
        elif self.step == 1:
            body = {"child_id": household["child_id"], "round_id": household["round_id"]}
            response = self._write("POST", "/drafts", body, "open draft")
            if response is None or response.status_code != 201:
                return
            household["draft_id"] = response.json()["id"]
            household["key"] = response.json()["idempotency_key"]
        elif 2 <= self.step <= 4:
            fields = sorted(household["draft"].items())
            part = dict(fields[self.step - 2 :: 3])
            self._write("PATCH", f"/drafts/{household['draft_id']}", part, "save draft")
        elif self.step == 5:
            body = {"idempotency_key": household["key"], "consent": True}
            response = self._write(
                "POST", f"/drafts/{household['draft_id']}/submit", body, "submit"
            )
            if response is not None and response.status_code == 201:
                self.application_id = response.json()["id"]
                line = json.dumps(
                    {
                        "application_id": self.application_id,
                        "child_id": household["child_id"],
                        "round_id": household["round_id"],
                    }
                )
                with _submitted_lock, SUBMITTED.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
            else:
                self._next_parent()
                return
        self.step += 1
