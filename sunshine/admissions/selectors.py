"""Reads for admission runs: who takes part, and what a run decided."""

from __future__ import annotations

from dataclasses import dataclass

from sunshine.admissions.models import AdmissionRun, Placement, RunStatus
from sunshine.applications.models import Application, Status
from sunshine.engine.policy.evaluate import tie_key
from sunshine.engine.policy.loader import Policy, load_policy
from sunshine.privacy.crypto import blind_index
from sunshine.schools.models import Round, SeatPlan
from sunshine.verification.selectors import stored_facts


@dataclass(frozen=True)
class Applicant:
    """What an admission run knows of one application: no names, no ID numbers.

    ``priority`` ranks applicants of the round by category and then by the
    category's tie-break facts (earlier hukou move-in first, for instance);
    only children of equal priority are separated by the lottery.
    """

    application_id: int
    entry: str  # pseudonymous code used in lotteries and published files
    family: str  # the entry shared by a multiple birth (twins draw one number)
    category: int
    priority: int
    zone_school: str | None
    private_choices: tuple[str, ...]
    home: tuple[float, float] | None


def pseudonym(round_: Round, reference: str) -> str:
    """A stable code for an application in a round's published files; reveals nothing."""
    return "A" + blind_index(reference, f"pseudonym:{round_.pk}")[:11].upper()


def admission_applicants(round_: Round) -> tuple[list[Applicant], int]:
    """Verified applications with a category, and how many others are still pending."""
    applicants: list[Applicant] = []
    policy = load_policy(round_.term.policy_toml)
    rows = (
        Application.objects.filter(round=round_, status=Status.VERIFIED, category__isnull=False)
        .select_related("zone_school", "child", "category")
        .prefetch_related("choices__school")
        .order_by("pk")
    )
    rows = list(rows)
    ranks = _priority_ranks(policy, rows)
    for application, rank in zip(rows, ranks, strict=True):
        entry = pseudonym(round_, application.reference)
        twins = application.child.twin_group
        home = (
            (application.home_latitude, application.home_longitude)
            if application.home_latitude is not None and application.home_longitude is not None
            else None
        )
        applicants.append(
            Applicant(
                application_id=application.pk,
                entry=entry,
                family="T" + blind_index(twins, f"family:{round_.pk}")[:11].upper()
                if twins
                else entry,
                category=application.category.category,
                priority=rank,
                zone_school=application.zone_school.code if application.zone_school else None,
                private_choices=tuple(choice.school.code for choice in application.choices.all()),
                home=home,
            )
        )
    pending = (
        Application.objects.filter(round=round_)
        .filter(status__in=[Status.SUBMITTED, Status.REVIEW, Status.OFFLINE_CHECK])
        .count()
    )
    return applicants, pending


def _priority_ranks(policy: Policy, applications: list[Application]) -> list[int]:
    """Dense ranks (1 = best) by stored category, then the category's tie-break facts."""
    keys = []
    for application in applications:
        category = application.category.category
        facts = stored_facts(application.category.facts)
        keys.append((category, tie_key(policy.category(category), facts)))
    rank_of = {key: rank for rank, key in enumerate(sorted(set(keys)), start=1)}
    return [rank_of[key] for key in keys]


def seats_by_school(round_: Round) -> dict[str, int]:
    return dict(
        SeatPlan.objects.filter(round=round_).values_list("school__code", "seats").order_by()
    )


def committed_run(round_: Round) -> AdmissionRun | None:
    return (
        AdmissionRun.objects.filter(round=round_)
        .exclude(status=RunStatus.PREVIEW)
        .order_by("-created_at")
        .first()
    )


# Only verified applications enter a committed run (``services._apply_results`` checks
# it), and an application cannot go back to these: no placement to look up, as on the
# first morning of registration, when families poll their freshly submitted applications.
NEVER_VERIFIED = frozenset({Status.DRAFT, Status.SUBMITTED})


def placement_of(application: Application) -> Placement | None:
    """The application's placement in its round's committed run, if there is one."""
    if application.status in NEVER_VERIFIED:
        return None
    return (
        Placement.objects.filter(application=application)
        .exclude(run__status=RunStatus.PREVIEW)
        .select_related("school", "run")
        .first()
    )
