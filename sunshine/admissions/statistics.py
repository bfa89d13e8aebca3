"""The three rates (the "three 100%") by district, by school and by day of submission.

* online registration: children whose application was submitted online, among the
  children with an application (drafts included);
* verification: submitted applications whose every check reached a final answer
  (verified, mismatch or not found) without waiting for a person;
* admission: admitted (coordinated placement and waitlists included) among the
  applications that were decided.

Counts only, never a child: every figure here may be shown to observers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from sunshine.applications.models import Application, Status
from sunshine.verification.models import CheckStatus

SUBMITTED = {s for s in Status.values if s not in {Status.DRAFT, Status.WITHDRAWN}}
DECIDED = {Status.ADMITTED, Status.UNPLACED, Status.ENROLLED}
ADMITTED = {Status.ADMITTED, Status.ENROLLED}
NO_ZONE = ""


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    children: int
    registered: int
    submitted: int
    verified: int
    decided: int
    admitted: int

    @property
    def registration_rate(self) -> float:
        return self.registered / self.children if self.children else 0.0

    @property
    def verification_rate(self) -> float:
        return self.verified / self.submitted if self.submitted else 0.0

    @property
    def admission_rate(self) -> float:
        return self.admitted / self.decided if self.decided else 0.0


@dataclass(frozen=True)
class _Fact:
    child: int
    status: str
    waiting: bool  # a check is pending or needs a person
    schools: tuple[tuple[str, str], ...]  # (code, name): zone school, then listed choices
    district: tuple[str, str]
    day: dt.date | None


def _facts(applications: QuerySet[Application]) -> list[_Fact]:
    rows = applications.exclude(status=Status.WITHDRAWN)
    waiting = set(
        rows.filter(
            Q(checks__status__in=[CheckStatus.PENDING, CheckStatus.NEEDS_REVIEW])
            | Q(checks__isnull=True)
        ).values_list("pk", flat=True)
    )
    choices: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for application_id, code, name in rows.filter(choices__isnull=False).values_list(
        "pk", "choices__school__code", "choices__school__name"
    ):
        choices[application_id].append((code, name))
    facts = []
    for pk, child, status, code, name, d_code, d_name, submitted in rows.values_list(
        "pk",
        "child_id",
        "status",
        "zone_school__code",
        "zone_school__name",
        "zone_school__district__code",
        "zone_school__district__name",
        "submitted_at",
    ):
        zone = ((code, name),) if code else ()
        facts.append(
            _Fact(
                child=child,
                status=status,
                waiting=pk in waiting,
                schools=zone + tuple(c for c in choices[pk] if c[0] != code),
                district=(d_code or NO_ZONE, d_name or "未划片"),
                day=timezone.localtime(submitted).date() if submitted else None,
            )
        )
    return facts


def _row(key: str, label: str, facts: Iterable[_Fact]) -> RateRow:
    facts = list(facts)
    submitted = [f for f in facts if f.status in SUBMITTED]
    return RateRow(
        key=key,
        label=label,
        children=len({f.child for f in facts}),
        registered=len({f.child for f in submitted}),
        submitted=len(submitted),
        verified=sum(1 for f in submitted if not f.waiting),
        decided=sum(1 for f in submitted if f.status in DECIDED),
        admitted=sum(1 for f in submitted if f.status in ADMITTED),
    )


def _grouped(
    facts: Iterable[_Fact], keys: Callable[[_Fact], Iterable[tuple[str, str]]]
) -> list[RateRow]:
    groups: dict[tuple[str, str], list[_Fact]] = defaultdict(list)
    for fact in facts:
        for key in keys(fact):
            groups[key].append(fact)
    return [_row(code, label, groups[(code, label)]) for code, label in sorted(groups)]


def totals(applications: QuerySet[Application], label: str = "合计") -> RateRow:
    """The three rates over ``applications``, counted by the database (cheap on every page)."""
    rows = applications.exclude(status=Status.WITHDRAWN)
    submitted = rows.filter(status__in=SUBMITTED)
    waiting = (
        submitted.filter(
            Q(checks__status__in=[CheckStatus.PENDING, CheckStatus.NEEDS_REVIEW])
            | Q(checks__isnull=True)
        )
        .values("pk")
        .distinct()
        .count()
    )
    count = submitted.count()
    return RateRow(
        key="",
        label=label,
        children=rows.values("child").distinct().count(),
        registered=submitted.values("child").distinct().count(),
        submitted=count,
        verified=count - waiting,
        decided=submitted.filter(status__in=DECIDED).count(),
        admitted=submitted.filter(status__in=ADMITTED).count(),
    )


def by_district(
    applications: QuerySet[Application], districts: Collection[str] | None = None
) -> list[RateRow]:
    """One row per district of the zone school (``districts`` limits the rows)."""
    rows = _grouped(_facts(applications), lambda f: (f.district,))
    return [r for r in rows if districts is None or r.key in districts]


def by_school(
    applications: QuerySet[Application], schools: Collection[str] | None = None
) -> list[RateRow]:
    """One row per school: its zone applicants and those who listed it as a choice."""
    rows = _grouped(_facts(applications), lambda f: f.schools)
    return [r for r in rows if schools is None or r.key in schools]


def by_day(applications: QuerySet[Application]) -> list[RateRow]:
    """One row per day of submission (China time), the day as ``YYYY-MM-DD``."""
    facts = [f for f in _facts(applications) if f.day is not None]
    return _grouped(facts, lambda f: ((f.day.isoformat(), f.day.strftime("%m-%d")),))  # type: ignore[union-attr]
