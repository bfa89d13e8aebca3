"""Writing what verification concluded: check rows, facts, category, status, review cases.

Shared by verification runs, corrections, review decisions and policy
adoption, so that one rule decides where an application stands:

* a check waiting for a person or a department, an undetermined category, or a
  family's open request for review → ``review`` (a review case is open);
* a category that goes to the school's offline check, not yet decided →
  ``offline_check`` (an offline-check case is open);
* otherwise → ``verified``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sunshine.applications.models import Application, Child, Guardianship, Status
from sunshine.audit.services import Actor, Event, record_many
from sunshine.engine.checks import (
    FACT_TYPES,
    CheckName,
    CheckResult,
    Facts,
    FactType,
    FactValue,
    ReasonCode,
)
from sunshine.engine.checks import CheckStatus as EngineStatus
from sunshine.engine.checks.facts import fact_type_of
from sunshine.engine.policy.evaluate import CategoryAssignment as Assignment
from sunshine.engine.policy.evaluate import FactUse, evaluate
from sunshine.engine.policy.loader import Policy
from sunshine.engine.records import Declaration, GuardianDeclaration
from sunshine.notifications.services import Announcement, enqueue
from sunshine.verification.bulk import delete_by_ids, id_set, insert_rows, json_text
from sunshine.verification.connectors import Query
from sunshine.verification.models import (
    ApplicationFacts,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    CategoryAssignment,
    ReviewCase,
    VerificationCheck,
)

APPLICATION = "applications.application"
BATCH = "verification.batch"
PARENT_REQUEST = "parent_request"
CATEGORY_PENDING = "category_pending"
TIE_BREAK_PENDING = "tie_break_pending"


def declaration_of(application: Application) -> Declaration:
    data = application.declaration
    guardians = tuple(GuardianDeclaration(**g) for g in data.get("guardians", ()))
    return Declaration(**{**data, "guardians": guardians, "notes": tuple(data.get("notes", ()))})


def fact_json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def stored_facts(facts: Facts) -> dict[str, object]:
    """Known facts as stored: JSON values, dates as ISO text."""
    return {name: fact_json(value) for name, value in facts.values.items()}


def facts_from_json(
    values: Mapping[str, object], pending: Iterable[str] = (), overrides: Mapping[str, object] = {}
) -> Facts:
    """Stored facts with staff's settled facts laid over them (dates restored).

    An override of None means staff found the fact does not hold at all (absent).
    """
    restored: dict[str, FactValue] = {}
    for name, value in {**values, **overrides}.items():
        kind = FACT_TYPES.get(name)
        if kind is FactType.DATE and isinstance(value, str):
            restored[name] = dt.date.fromisoformat(value)
        elif kind is not None and fact_type_of(value) is kind:
            restored[name] = value  # type: ignore[assignment]
    waiting = frozenset(name for name in pending if name in FACT_TYPES) - overrides.keys()
    return Facts(restored, waiting - restored.keys())


StoredResults = dict[CheckName, tuple[CheckResult, int]]


def stored_results(application_ids: Sequence[int]) -> dict[int, StoredResults]:
    """The results already stored for these applications, with how often each was asked."""
    stored: dict[int, StoredResults] = {}
    if not application_ids:
        return stored
    for row in VerificationCheck.objects.filter(application_id__in=id_set(application_ids)):
        try:
            result = CheckResult(
                check=CheckName(row.check_name),
                status=EngineStatus(row.status),
                reason_code=ReasonCode(row.reason_code),
                field=row.field or None,
                message_zh=row.message_zh,
                message_en=row.message_en,
                facts=json.loads(row.facts_json or "{}"),
                retryable=row.retryable,
            )
        except (KeyError, ValueError):
            continue  # a result staff settled by hand; it is not asked again
        stored.setdefault(row.application_id, {})[result.check] = (result, row.attempts)
    return stored


@dataclass
class Verdict:
    """One application's fresh check results, before they are written."""

    application: Application
    results: list[CheckResult]
    attempts: dict[str, int]
    facts: Facts
    queries: list[Query] = field(default_factory=list)


@dataclass
class Standing:
    """Where one application ends up: its facts, category, status and why."""

    application: Application
    facts: Facts
    assignment: Assignment
    check_reasons: list[str]
    status: str = ""
    review_reasons: list[str] = field(default_factory=list)


def settle_verdicts(
    actor: Actor, verdicts: Sequence[Verdict], policy: Policy, now: dt.datetime, *, purpose: str
) -> Counter[str]:
    """Write a batch of fresh results and everything that follows from them; audit included."""
    if not verdicts:
        return Counter()
    ids = [verdict.application.pk for verdict in verdicts]
    delete_by_ids(VerificationCheck, "application_id", ids)
    insert_rows(
        VerificationCheck,
        _CHECK_COLUMNS,
        [_check_row(pk, v, r, now) for pk, v in zip(ids, verdicts, strict=True) for r in v.results],
    )
    stored = [stored_facts(v.facts) for v in verdicts]
    delete_by_ids(ApplicationFacts, "application_id", ids)
    insert_rows(
        ApplicationFacts,
        ("application_id", "values", "pending", "overrides", "derived_at"),
        [
            (pk, values, sorted(v.facts.pending), {}, now)
            for pk, values, v in zip(ids, stored, verdicts, strict=True)
        ],
    )
    standings = [
        Standing(
            v.application,
            v.facts,
            evaluate(policy, v.facts),
            sorted(
                {r.reason_code.value for r in v.results if r.status is EngineStatus.NEEDS_REVIEW}
            ),
        )
        for v in verdicts
    ]
    events = settle_standings(actor, standings, policy, now, stored=stored)
    events.append(query_event(verdicts, purpose))
    record_many(actor, events)
    _announce_failures(verdicts, now)
    tally: Counter[str] = Counter(s.status for s in standings)
    for verdict, standing in zip(verdicts, standings, strict=True):
        failed = any(r.status in _FAILED for r in verdict.results)
        tally["mismatch"] += failed and standing.status == Status.VERIFIED
    return tally


_FAILED = (EngineStatus.MISMATCH, EngineStatus.NOT_FOUND)
QUERY_COLUMNS = ("department", "kind", "outcome", "attempts", "request_sha256", "response_sha256")
SEPARATOR = "|"


def batch_object(application_ids: Sequence[int]) -> tuple[str, str]:
    """How a batch event names the applications it covers (their ids are in its data)."""
    return BATCH, f"{min(application_ids)}-{max(application_ids)}"


def query_event(verdicts: Sequence[Verdict], purpose: str) -> Event:
    """Every department query of a batch, by application, in one audit event.

    Each query is one text of the ``columns`` joined by ``|``: department, kind,
    outcome, attempts and the SHA-256 of request and response; the actor, time,
    purpose and transport are the event's. One event per batch rather than per
    query keeps the hash chain's cost from dominating a city-wide run.
    """
    object_type, object_id = batch_object([v.application.pk for v in verdicts])
    transports = sorted({q.transport for v in verdicts for q in v.queries})
    return Event(
        "department.queried",
        object_type,
        object_id,
        {
            "purpose": purpose,
            "transport": ",".join(transports),
            "columns": SEPARATOR.join(QUERY_COLUMNS),
            "applications": {
                str(v.application.pk): [_query_text(q) for q in v.queries] for v in verdicts
            },
        },
    )


def _query_text(query: Query) -> str:
    """The query's ``QUERY_COLUMNS``, in that order, joined by ``SEPARATOR``."""
    return SEPARATOR.join(
        (
            query.department,
            query.kind,
            query.outcome,
            str(query.attempts),
            query.request_sha256,
            query.response_sha256,
        )
    )


def queries_in(event_data: Mapping[str, Any], application_id: int) -> list[dict[str, str]]:
    """The queries a ``department.queried`` event holds for one application, as dicts."""
    columns = event_data["columns"].split(SEPARATOR)
    rows = event_data["applications"].get(str(application_id), [])
    return [dict(zip(columns, row.split(SEPARATOR), strict=True)) for row in rows]


_CHECK_COLUMNS = (
    "application_id",
    "check_name",
    "status",
    "reason_code",
    "field",
    "message_zh",
    "message_en",
    "facts_json",
    "retryable",
    "attempts",
    "checked_at",
)


def _check_row(
    application_id: int, verdict: Verdict, result: CheckResult, now: dt.datetime
) -> tuple[Any, ...]:
    # str() of these string enums is their value, without the enum's property lookup.
    check = str(result.check)
    return (
        application_id,
        check,
        str(result.status),
        str(result.reason_code),
        result.field or "",
        result.message_zh,
        result.message_en,
        json_text(dict(result.facts)),
        result.retryable,
        verdict.attempts.get(check, 1),
        now,
    )


def settle_standings(
    actor: Actor,
    standings: Sequence[Standing],
    policy: Policy,
    now: dt.datetime,
    *,
    stored: Sequence[dict[str, object]] | None = None,
) -> list[Event]:
    """Category rows, statuses and review cases for these applications; returns audit events.

    ``stored`` may give each standing's ``stored_facts``, when the caller has them.
    """
    ids = [s.application.pk for s in standings]
    open_cases = {
        (case.application_id, case.kind): case
        for case in ReviewCase.objects.filter(
            application_id__in=id_set(ids), status=CaseStatus.OPEN
        )
    }
    offline_decided = set(
        ReviewCase.objects.filter(
            application_id__in=id_set(ids), kind=CaseKind.OFFLINE_CHECK, status=CaseStatus.DECIDED
        ).values_list("application_id", flat=True)
    )
    for pk, standing in zip(ids, standings, strict=True):
        review = open_cases.get((pk, CaseKind.REVIEW))
        _place(standing, review, pk in offline_decided)
    if stored is None:
        stored = [stored_facts(s.facts) for s in standings]
    _write_categories(ids, standings, stored, policy, now)
    _write_statuses(ids, standings, now)
    events = _sync_cases(ids, standings, open_cases, actor, now)
    object_type, object_id = batch_object(ids)
    events.append(
        Event(
            "application.verified",
            object_type,
            object_id,
            {
                "policy_sha256": policy.source_sha256,
                "applications": {
                    str(pk): {
                        "category": s.assignment.category,
                        "status": s.status,
                        **({"review": s.review_reasons} if s.review_reasons else {}),
                    }
                    for pk, s in zip(ids, standings, strict=True)
                },
            },
        )
    )
    return events


def _place(standing: Standing, review: ReviewCase | None, offline_decided: bool) -> None:
    reasons = list(standing.check_reasons)
    assignment = standing.assignment
    if not assignment.determined:
        reasons.append(CATEGORY_PENDING)
    elif assignment.tie_break_pending:
        reasons.append(TIE_BREAK_PENDING)
    if review is not None and review.requested_by_parent:
        reasons.append(PARENT_REQUEST)
    standing.review_reasons = sorted(set(reasons))
    if standing.review_reasons:
        standing.status = Status.REVIEW
    elif assignment.offline_check and not offline_decided:
        standing.status = Status.OFFLINE_CHECK
    else:
        standing.status = Status.VERIFIED


def _write_categories(
    ids: Sequence[int],
    standings: Sequence[Standing],
    stored: Sequence[dict[str, object]],
    policy: Policy,
    now: dt.datetime,
) -> None:
    delete_by_ids(CategoryAssignment, "application_id", ids)
    insert_rows(
        CategoryAssignment,
        (
            "application_id",
            "category",
            "name",
            "offline_check",
            "reasons",
            "facts",
            "policy_sha256",
            "assigned_at",
        ),
        [
            (
                pk,
                s.assignment.category,
                s.assignment.name or "",
                s.assignment.offline_check,
                [_fact_use(use) for use in s.assignment.reasons],
                values,
                policy.source_sha256,
                now,
            )
            for pk, s, values in zip(ids, standings, stored, strict=True)
            if s.assignment.determined
        ],
    )


def _fact_use(use: FactUse) -> dict[str, object]:
    return {"fact": use.fact, "value": fact_json(use.value)}


def _write_statuses(ids: Sequence[int], standings: Sequence[Standing], now: dt.datetime) -> None:
    by_status: dict[str, list[int]] = {}
    for pk, standing in zip(ids, standings, strict=True):
        if standing.application.status != standing.status:
            by_status.setdefault(standing.status, []).append(pk)
        standing.application.status = standing.status
    for status, ids in by_status.items():
        Application.objects.filter(pk__in=id_set(ids)).update(status=status, updated_at=now)


def _sync_cases(
    ids: Sequence[int],
    standings: Sequence[Standing],
    open_cases: Mapping[tuple[int, str], ReviewCase],
    actor: Actor,
    now: dt.datetime,
) -> list[Event]:
    new: list[ReviewCase] = []
    changed: list[ReviewCase] = []
    opened: dict[str, dict[str, list[str]]] = {}
    closed: dict[str, list[int]] = {}
    for pk, standing in zip(ids, standings, strict=True):
        application = standing.application
        for kind, wanted in (
            (CaseKind.REVIEW, standing.status == Status.REVIEW),
            (CaseKind.OFFLINE_CHECK, standing.status == Status.OFFLINE_CHECK),
        ):
            case = open_cases.get((pk, kind))
            reasons = standing.review_reasons if kind == CaseKind.REVIEW else ["offline_check"]
            if wanted and case is None:
                new.append(
                    ReviewCase(
                        application=application,
                        school_id=application.zone_school_id,
                        kind=kind,
                        reasons=reasons,
                        opened_at=now,
                    )
                )
                opened.setdefault(kind, {})[str(pk)] = reasons
            elif wanted and case is not None and case.reasons != reasons:
                case.reasons = reasons
                changed.append(case)
            elif not wanted and case is not None:
                case.status = CaseStatus.CLOSED
                case.outcome = CaseOutcome.RESOLVED
                case.decided_by = actor.name
                case.decided_at = now
                changed.append(case)
                closed.setdefault(kind, []).append(pk)
    ReviewCase.objects.bulk_create(new)
    ReviewCase.objects.bulk_update(
        changed, ["reasons", "status", "outcome", "decided_by", "decided_at"], batch_size=200
    )
    object_type, object_id = batch_object(ids)
    events = [
        Event("review.opened", object_type, object_id, {"kind": kind, "applications": reasons})
        for kind, reasons in opened.items()
    ]
    events += [
        Event(
            "review.closed",
            object_type,
            object_id,
            {"kind": kind, "outcome": CaseOutcome.RESOLVED.value, "applications": closed_ids},
        )
        for kind, closed_ids in closed.items()
    ]
    return events


def _announce_failures(verdicts: Sequence[Verdict], now: dt.datetime) -> None:
    failed = {
        v.application.child_id: (v, next(r for r in v.results if r.status in _FAILED))
        for v in verdicts
        if any(r.status in _FAILED for r in v.results)
    }
    if not failed:
        return
    names = dict(Child.objects.filter(pk__in=list(failed)).values_list("pk", "name"))
    first_guardian: dict[int, str] = {}
    links = (
        Guardianship.objects.filter(child_id__in=failed)
        .select_related("guardian")
        .order_by("guardian_id")
    )
    for link in links:
        first_guardian.setdefault(link.child_id, link.guardian.phone)
    enqueue(
        [
            Announcement(
                f"check-failed:{verdict.application.pk}:{now.isoformat()}",
                first_guardian[child_id],
                "CHECK_FAILED",
                {"child": names.get(child_id, ""), "reason": result.message_zh[:60]},
            )
            for child_id, (verdict, result) in failed.items()
            if child_id in first_guardian
        ],
        now,
    )
