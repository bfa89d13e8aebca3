"""Fault rehearsals: clients that behave as a phone app does, and the exactly-once checks.

``deploy/faults/*.sh`` kill processes and restart the database around these pieces;
the tests use them at small scale. Each check returns the verdict as a dict whose
``ok`` says whether nothing was lost or made twice.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.engine.checks import applicable_checks
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.notifications.services import reference_of
from sunshine.operations.load_report import exactly_once
from sunshine.verification.models import VerificationCheck
from sunshine.verification.settling import declaration_of, queries_in

API = "/api/v1"
# A write the server could not finish (connection cut, 5xx, 429) is sent again.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class AppSubmission:
    """What one simulated phone app saw while submitting one child's application."""

    child_id: int
    round_id: int
    application_id: int | None = None
    seen: Counter[str] = field(default_factory=Counter)  # status codes and "connection_error"

    @property
    def retries(self) -> int:
        return sum(n for what, n in self.seen.items() if what not in {"200", "201"})


class GaveUp(Exception):
    pass


def _request(
    client: httpx.Client,
    method: str,
    path: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    outcome: AppSubmission,
    deadline: float,
) -> httpx.Response:
    """Send until the server answers something other than "try again", as an app does."""
    while True:
        try:
            response = client.request(method, API + path, json=body, headers=headers)
        except httpx.TransportError:
            outcome.seen["connection_error"] += 1
        else:
            outcome.seen[str(response.status_code)] += 1
            if response.status_code not in RETRY_STATUSES:
                return response
        if time.monotonic() > deadline:
            raise GaveUp(path)
        time.sleep(0.2)


def submit_like_an_app(
    base_url: str, household: Mapping[str, Any], *, give_up_after: float = 120.0
) -> AppSubmission:
    """Open the draft, fill it in, submit it with its idempotency key; retry every step."""
    outcome = AppSubmission(household["child_id"], household["round_id"])
    deadline = time.monotonic() + give_up_after
    headers = {
        "X-Client-Key": household["client_key"],
        "Authorization": f"Bearer {household['access_token']}",
        "X-Forwarded-Proto": "https",
    }
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        try:
            body = {"child_id": household["child_id"], "round_id": household["round_id"]}
            draft = _request(client, "POST", "/drafts", body, headers, outcome, deadline).json()
            path = f"/drafts/{draft['id']}"
            _request(client, "PATCH", path, household["draft"], headers, outcome, deadline)
            body = {"idempotency_key": draft["idempotency_key"], "consent": True}
            answer = _request(client, "POST", path + "/submit", body, headers, outcome, deadline)
        except GaveUp:
            return outcome
    if answer.status_code == 201:
        outcome.application_id = answer.json()["id"]
    else:
        outcome.seen[f"refused:{answer.text[:80]}"] += 1
    return outcome


def run_apps(
    base_url: str,
    households: Sequence[Mapping[str, Any]],
    *,
    concurrency: int = 8,
    give_up_after: float = 120.0,
    progress: Path | None = None,
) -> list[AppSubmission]:
    """Submit every household's application, ``concurrency`` apps at a time.

    ``progress`` gets one line per finished household, so a rehearsal can strike
    while the traffic is flowing.
    """
    lock = threading.Lock()

    def one(household: Mapping[str, Any]) -> AppSubmission:
        outcome = submit_like_an_app(base_url, household, give_up_after=give_up_after)
        if progress is not None:
            with lock, progress.open("a", encoding="utf-8") as out:
                out.write(f"{outcome.child_id}\n")
        return outcome

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, households))


def read_households(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_submissions(path: Path, outcomes: Iterable[AppSubmission]) -> None:
    lines = [
        json.dumps(
            {
                "child_id": o.child_id,
                "round_id": o.round_id,
                "application_id": o.application_id,
                "seen": dict(o.seen),
            }
        )
        for o in outcomes
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def read_submissions(path: Path) -> list[AppSubmission]:
    outcomes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        outcomes.append(
            AppSubmission(
                data["child_id"], data["round_id"], data["application_id"], Counter(data["seen"])
            )
        )
    return outcomes


def submissions_verdict(fault: str, outcomes: Sequence[AppSubmission]) -> dict[str, Any]:
    """Every application an app saw created is in the database once, with one SMS queued.

    An app that never got its answer (it gave up) counts as lost: the family was not
    told their application went in.
    """
    confirmed = [o for o in outcomes if o.application_id is not None]
    seen_lines = [
        json.dumps(
            {"application_id": o.application_id, "child_id": o.child_id, "round_id": o.round_id}
        )
        for o in confirmed
    ]
    counted = exactly_once(seen_lines)
    children = {o.child_id for o in outcomes}
    stored = Application.objects.filter(child_id__in=children)
    in_database = stored.count()
    queued = Counter(
        OutboxMessage.objects.filter(
            event_key__in=[f"submitted:{pk}" for pk in stored.values_list("pk", flat=True)]
        ).values_list("event_key", flat=True)
    )
    seen: Counter[str] = Counter()
    for outcome in outcomes:
        seen.update(outcome.seen)
    verdict = {
        "fault": fault,
        "submitted": len(outcomes),
        "in_database": in_database,
        "duplicated": counted["duplicated"] + max(0, in_database - len(children)),
        "lost": counted["missing"] + len(outcomes) - len(confirmed),
        "sms_queued": sum(queued.values()),
        "retried_requests": sum(o.retries for o in outcomes),
        "connection_errors": seen["connection_error"],
        "http_503": seen["503"],
        "http_500": seen["500"],
    }
    verdict["ok"] = (
        verdict["duplicated"] == 0
        and verdict["lost"] == 0
        and in_database == len(outcomes)
        and verdict["sms_queued"] == in_database
        and verdict["http_500"] == 0
    )
    return verdict


def sms_verdict(fault: str, taken_references: Iterable[str]) -> dict[str, Any]:
    """Every outbox message was taken by the provider exactly once and is marked sent."""
    taken = Counter(taken_references)
    messages = list(OutboxMessage.objects.all())
    references = {reference_of(m): m for m in messages}
    statuses = Counter(m.status for m in messages)
    verdict = {
        "fault": fault,
        "messages": len(messages),
        "sent": statuses[MessageStatus.SENT],
        "taken_by_provider": sum(taken[r] for r in references),
        "duplicated": sum(1 for r in references if taken[r] > 1),
        "lost": sum(1 for r in references if taken[r] == 0),
        "marked_sent_not_taken": sum(
            1 for r, m in references.items() if m.status == MessageStatus.SENT and taken[r] == 0
        ),
        "unsettled": len(messages) - statuses[MessageStatus.SENT],
        "reconciled": AuditEvent.objects.filter(action="sms.reconciled").count(),
    }
    verdict["ok"] = (
        verdict["duplicated"] == 0
        and verdict["lost"] == 0
        and verdict["unsettled"] == 0
        and verdict["marked_sent_not_taken"] == 0
    )
    return verdict


def verification_verdict(fault: str) -> dict[str, Any]:
    """Each submitted application has one result per check it needs; none was skipped.

    ``waiting_for_department`` counts applications whose checks a department left open
    (queued for review and a later run); ``questions_answered_twice`` counts department
    questions answered more than once for the same application.
    """
    applications = list(
        Application.objects.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN]).order_by("pk")
    )
    rows = Counter(
        VerificationCheck.objects.filter(application__in=applications).values_list(
            "application_id", "check_name"
        )
    )
    waiting = set(
        VerificationCheck.objects.filter(application__in=applications, retryable=True).values_list(
            "application_id", flat=True
        )
    )
    lost = 0
    for application in applications:
        expected = {check.value for check in applicable_checks(declaration_of(application))}
        if application.status == Status.SUBMITTED or any(
            rows[(application.pk, name)] == 0 for name in expected
        ):
            lost += 1
    answered: Counter[tuple[str, str]] = Counter()
    for event in AuditEvent.objects.filter(action="department.queried"):
        for application_id in event.data["applications"]:
            for query in queries_in(event.data, int(application_id)):
                if query["outcome"] in {"found", "not_found"}:
                    answered[(application_id, query["request_sha256"])] += 1
    verdict = {
        "fault": fault,
        "applications": len(applications),
        "checks": sum(rows.values()),
        "waiting_for_department": len(waiting),
        "in_review": sum(1 for a in applications if a.status == Status.REVIEW),
        "duplicated": sum(1 for n in rows.values() if n > 1),
        "questions_answered_twice": sum(1 for n in answered.values() if n > 1),
        "lost": lost,
    }
    verdict["ok"] = verdict["duplicated"] == 0 and verdict["lost"] == 0
    return verdict


def seed_applied_city(children: int, seed: int = 2024) -> dict[str, int]:
    """The demo city with every child's application submitted (and its SMS queued)."""
    from sunshine.demo.city import generate_city
    from sunshine.demo.loader import load_city
    from sunshine.demo.year import BUREAU, register_all

    city = generate_city(children=children, seed=seed)
    loaded = load_city(city, BUREAU)
    register_all(city, loaded.rounds, progress=False)
    return {
        "applications": Application.objects.filter(status=Status.SUBMITTED).count(),
        "sms_queued": OutboxMessage.objects.count(),
    }


def outbox_open() -> int:
    """Messages still to send or being sent."""
    return OutboxMessage.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.SENDING]
    ).count()


def control_departments(base_url: str, payload: Mapping[str, Any], key_text: str) -> str:
    """Tell the stand-in department service how to misbehave (a signed ``POST /_control``)."""
    import secrets

    from sunshine.verification.signing import SigningKey, request_headers

    body = json.dumps(payload).encode()
    headers = request_headers(
        SigningKey.parse(key_text),
        "POST",
        "/_control",
        body,
        now=time.time(),
        nonce=secrets.token_hex(16),
    )
    headers["Content-Type"] = "application/json"
    answer = httpx.post(base_url.rstrip("/") + "/_control", content=body, headers=headers)
    answer.raise_for_status()
    return answer.text
