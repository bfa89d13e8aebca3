"""Reads of verification results, review worklists, documents and what-if counts.

Every read that concerns applications goes through ``visible_applications``:
staff see their scope, parents their own children, nobody anything else.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from sunshine.accounts.models import Role, User
from sunshine.accounts.scopes import visible_applications
from sunshine.applications.models import Application, Status
from sunshine.engine.checks import FACT_TYPES, Facts, FactType, FactValue
from sunshine.engine.policy.evaluate import SchoolCounts, what_if
from sunshine.engine.policy.loader import Policy, load_policy
from sunshine.privacy.masking import mask_name
from sunshine.schools.models import School, Term
from sunshine.verification.models import (
    ApplicationFacts,
    CaseKind,
    CaseStatus,
    CheckStatus,
    ReviewCase,
    ReviewDocument,
    VerificationCheck,
)
from sunshine.verification.settling import facts_from_json

STAFF_ROLES = {Role.SCHOOL, Role.DISTRICT, Role.CITY}


def stored_facts(values: Mapping[str, object]) -> Facts:
    """The facts a category assignment stored as JSON, with dates restored."""
    restored: dict[str, FactValue] = {}
    for name, value in values.items():
        if FACT_TYPES.get(name) is FactType.DATE and isinstance(value, str):
            restored[name] = dt.date.fromisoformat(value)
        elif isinstance(value, bool | int):
            restored[name] = value
    return Facts(restored)


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.role in STAFF_ROLES)


# --- worklists ---------------------------------------------------------------------------


def worklist(
    user: User,
    *,
    kind: str | None = None,
    status: str = CaseStatus.OPEN,
    school_code: str | None = None,
    mine: bool = False,
) -> QuerySet[ReviewCase]:
    """Cases of the applications this staff member may see, oldest first."""
    if not is_staff(user):
        return ReviewCase.objects.none()
    cases = ReviewCase.objects.filter(
        application__in=visible_applications(user).values("pk"), status=status
    )
    if kind:
        cases = cases.filter(kind=kind)
    if school_code:
        cases = cases.filter(school__code=school_code)
    if mine:
        cases = cases.filter(assigned_to=user)
    return cases.select_related("application__child", "school", "assigned_to").order_by(
        "opened_at", "pk"
    )


@dataclass(frozen=True)
class SchoolWork:
    school: str
    reviews: int
    offline_checks: int


def worklist_by_school(user: User) -> list[SchoolWork]:
    """Open cases per school (a family without a zone school counts under “—”)."""
    counts: Counter[tuple[str, str]] = Counter()
    for school, kind in worklist(user).values_list("school__name", "kind"):
        counts[(school or "—", kind)] += 1
    schools = sorted({school for school, _ in counts})
    return [
        SchoolWork(
            school,
            counts[(school, CaseKind.REVIEW)],
            counts[(school, CaseKind.OFFLINE_CHECK)],
        )
        for school in schools
    ]


def case_for(user: User, case_id: int) -> ReviewCase | None:
    """The case, when this staff member may see its application."""
    if not is_staff(user):
        return None
    return (
        ReviewCase.objects.filter(
            pk=case_id, application__in=visible_applications(user).values("pk")
        )
        .select_related("application__child", "application__round__term", "school", "assigned_to")
        .first()
    )


@dataclass(frozen=True)
class FactLine:
    name: str
    kind: str
    value: object
    pending: bool
    settled: bool


@dataclass(frozen=True)
class CaseDetail:
    case: ReviewCase
    child_masked: str
    checks: list[VerificationCheck]
    facts: list[FactLine]
    visits: list[object]
    document: ReviewDocument | None
    assignable: list[User]
    history: list[ReviewCase] = field(default_factory=list)


def case_detail(user: User, case_id: int) -> CaseDetail | None:
    case = case_for(user, case_id)
    if case is None:
        return None
    application = case.application
    row = ApplicationFacts.objects.filter(application=application).first()
    return CaseDetail(
        case=case,
        child_masked=mask_name(application.child.name),
        checks=list(application.checks.order_by("check_name")),
        facts=_fact_lines(row),
        visits=list(case.visits.order_by("visited_on", "pk")),
        document=ReviewDocument.objects.filter(case=case).first(),
        assignable=assignable_staff(case),
        history=list(
            ReviewCase.objects.filter(application=application)
            .exclude(pk=case.pk)
            .order_by("-opened_at")
        ),
    )


def _fact_lines(row: ApplicationFacts | None) -> list[FactLine]:
    if row is None:
        return []
    facts = facts_from_json(row.values, row.pending, row.overrides)
    return [
        FactLine(
            name=name,
            kind=kind.value,
            value=facts.get(name),
            pending=facts.is_pending(name),
            settled=name in row.overrides,
        )
        for name, kind in FACT_TYPES.items()
    ]


def assignable_staff(case: ReviewCase) -> list[User]:
    """Staff who may see the case's application: its school's, its district's, the city's."""
    school: School | None = case.school
    scope = Q(role=Role.CITY)
    if school is not None:
        scope |= Q(role=Role.SCHOOL, school=school) | Q(
            role=Role.DISTRICT, district=school.district_id
        )
    return list(User.objects.filter(scope, is_active=True).order_by("role", "username"))


# --- documents ---------------------------------------------------------------------------


def document_for(user: User, token: str) -> ReviewDocument | None:
    """The document, when ``user`` is a guardian of its child or staff in scope."""
    if not user.is_authenticated or user.role not in {*STAFF_ROLES, Role.PARENT}:
        return None
    return (
        ReviewDocument.objects.filter(
            token=token, case__application__in=visible_applications(user).values("pk")
        )
        .select_related("case")
        .first()
    )


# --- what a family sees ------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyReview:
    """A review or offline check as the family sees it: what happens, and the outcome."""

    kind: str
    kind_label: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    reason: str
    opened_at: dt.datetime
    decided_at: dt.datetime | None
    has_document: bool
    document_token: str | None


def family_application(user: User, reference: str) -> Application | None:
    """One of the family's own applications, by its reference."""
    if not user.is_authenticated or user.role != Role.PARENT:
        return None
    return (
        visible_applications(user)
        .filter(reference=reference)
        .select_related("child", "round__term", "zone_school", "category")
        .first()
    )


def family_reviews(user: User, application: Application) -> list[FamilyReview]:
    """The reviews and offline checks of an application, for its guardians (the portal)."""
    if not visible_applications(user).filter(pk=application.pk).exists():
        return []
    cases = (
        ReviewCase.objects.filter(application=application)
        .select_related("document")
        .order_by("-opened_at", "-pk")
    )
    reviews = []
    for case in cases:
        document = getattr(case, "document", None)
        reviews.append(
            FamilyReview(
                kind=case.kind,
                kind_label=str(case.get_kind_display()),
                status=case.status,
                status_label=str(case.get_status_display()),
                outcome=case.outcome,
                outcome_label=str(case.get_outcome_display()) if case.outcome else "",
                reason=case.decision_reason if case.status == CaseStatus.DECIDED else "",
                opened_at=case.opened_at,
                decided_at=case.decided_at,
                has_document=document is not None,
                document_token=document.token if document is not None else None,
            )
        )
    return reviews


# --- what-if -----------------------------------------------------------------------------

_EXCLUDED = [Status.DRAFT, Status.WITHDRAWN, Status.SUBMITTED]


@dataclass(frozen=True)
class SchoolComparison:
    school_code: str
    school_name: str
    current: SchoolCounts
    proposed: SchoolCounts

    def cells(self, numbers: list[int]) -> list[tuple[int, int, int]]:
        """(current, proposed, change) per category number, in the order given."""
        return [
            (
                self.current.by_category.get(n, 0),
                self.proposed.by_category.get(n, 0),
                self.proposed.by_category.get(n, 0) - self.current.by_category.get(n, 0),
            )
            for n in numbers
        ]


@dataclass(frozen=True)
class WhatIfReport:
    current: Policy
    proposed: Policy
    categories: list[tuple[int, str]]
    schools: list[SchoolComparison]
    applications: int

    @property
    def numbers(self) -> list[int]:
        return [number for number, _ in self.categories]

    @property
    def table(self) -> list[tuple[str, list[tuple[int, int, int]], tuple[int, int]]]:
        """Rows for display: school, (current, proposed, change) per category, pending."""
        return [
            (
                school.school_name,
                school.cells(self.numbers),
                (school.current.pending, school.proposed.pending),
            )
            for school in self.schools
        ]

    def totals(self) -> list[tuple[int, int, int]]:
        totals = []
        for index, _ in enumerate(self.categories):
            now = sum(s.cells(self.numbers)[index][0] for s in self.schools)
            then = sum(s.cells(self.numbers)[index][1] for s in self.schools)
            totals.append((now, then, then - now))
        return totals


NO_ZONE = ""


def what_if_report(term: Term, proposed: Policy) -> WhatIfReport:
    """Counts per school and category under the term's policy and under ``proposed``.

    Uses each application's stored facts (judged against its zone school), with
    facts staff settled in reviews laid over them.
    """
    current = load_policy(term.policy_toml)
    facts_by_school: dict[str, list[Facts]] = defaultdict(list)
    rows = (
        ApplicationFacts.objects.filter(application__round__term=term)
        .exclude(application__status__in=_EXCLUDED)
        .values_list("application__zone_school__code", "values", "pending", "overrides")
    )
    for code, values, pending, overrides in rows.iterator(chunk_size=2000):
        facts_by_school[code or NO_ZONE].append(facts_from_json(values, pending, overrides))
    before = what_if(current, facts_by_school)
    after = what_if(proposed, facts_by_school)
    names = dict(School.objects.filter(code__in=before).values_list("code", "name"))
    numbers = sorted(
        {r.number for r in current.categories} | {r.number for r in proposed.categories}
    )
    labels = {r.number: r.name for r in current.categories} | {
        r.number: r.name for r in proposed.categories
    }
    return WhatIfReport(
        current=current,
        proposed=proposed,
        categories=[(n, labels[n]) for n in numbers],
        schools=[
            SchoolComparison(code, names.get(code, "—"), before[code], after[code])
            for code in sorted(before)
        ],
        applications=sum(len(v) for v in facts_by_school.values()),
    )


# --- progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationProgress:
    """Where the applications in a user's scope stand, and why checks did not pass."""

    by_status: list[tuple[str, int]]
    failures: list[tuple[str, str, int]]  # check, reason code, applications

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_status)


def verification_progress(user: User) -> VerificationProgress:
    applications = visible_applications(user).exclude(status=Status.DRAFT)
    labels = dict(Status.choices)
    statuses = applications.order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    failures = (
        VerificationCheck.objects.filter(application__in=applications.values("pk"))
        .exclude(status=CheckStatus.VERIFIED)
        .order_by()
        .values_list("check_name", "reason_code")
        .annotate(n=Count("application", distinct=True))
    )
    return VerificationProgress(
        by_status=sorted(
            ((str(labels.get(status, status)), n) for status, n in statuses), key=lambda r: -r[1]
        ),
        failures=sorted(failures, key=lambda row: -row[2]),
    )
