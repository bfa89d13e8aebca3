"""What anyone may read: seats, demand, draws, masked results and the three rates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from sunshine.admissions import statistics
from sunshine.admissions.models import LotteryDraw
from sunshine.admissions.runs import refill_admission_of
from sunshine.admissions.selectors import placement_of
from sunshine.admissions.statistics import RateRow, totals
from sunshine.applications.models import Application, Status
from sunshine.privacy.masking import mask_name
from sunshine.schools.models import Round, SeatPlan

ACTIVE = [s for s in Status.values if s not in {Status.DRAFT, Status.WITHDRAWN}]
DECIDED = [Status.ADMITTED, Status.UNPLACED, Status.ENROLLED]


@dataclass(frozen=True)
class SchoolDemand:
    code: str
    name: str
    district: str
    kind: str
    seats: int
    applicants: int

    @property
    def per_seat(self) -> float:
        return self.applicants / self.seats if self.seats else 0.0


def school_demand(round_: Round) -> list[SchoolDemand]:
    """Seats and applicants per school in a round (zone school or listed private choice)."""
    zone_counts = dict(
        Application.objects.filter(round=round_, status__in=ACTIVE)
        .values_list("zone_school__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    choice_counts = dict(
        Application.objects.filter(round=round_, status__in=ACTIVE)
        .values_list("choices__school__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    plans = SeatPlan.objects.filter(round=round_).select_related("school__district")
    return [
        SchoolDemand(
            code=plan.school.code,
            name=plan.school.name,
            district=plan.school.district.name,
            kind=plan.school.get_kind_display(),
            seats=plan.seats,
            applicants=zone_counts.get(plan.school.code, 0)
            + choice_counts.get(plan.school.code, 0),
        )
        for plan in plans.order_by("school__code")
    ]


def city_rates() -> RateRow:
    """The three rates (the "three 100%") over the whole city, as the public pages show them."""
    return totals(Application.objects.all(), label="全市")


def recent_draws(limit: int = 200) -> list[LotteryDraw]:
    return list(LotteryDraw.objects.select_related("school", "round__term")[:limit])


@dataclass(frozen=True)
class PublicResult:
    reference: str
    child: str
    status: str
    school: str | None
    stage: str | None
    lottery_number: int | None


def lookup_result(reference: str, id_last_four: str) -> PublicResult | None:
    """A masked result for whoever knows the application number and the ID's last four."""
    application = (
        Application.objects.select_related("child").filter(reference=reference.strip()).first()
    )
    if application is None:
        return None
    if application.child.id_number[-4:].upper() != id_last_four.strip().upper():
        return None
    placement = placement_of(application)
    refilled = refill_admission_of(application)
    if refilled is not None:
        return PublicResult(
            reference=application.reference,
            child=mask_name(application.child.name),
            status=application.get_status_display(),
            school=refilled.school.name,
            stage=str(_("候补递补")),
            lottery_number=refilled.lottery_number,
        )
    return PublicResult(
        reference=application.reference,
        child=mask_name(application.child.name),
        status=application.get_status_display(),
        school=placement.school.name if placement and placement.school else None,
        stage=placement.get_stage_display() if placement else None,
        lottery_number=placement.lottery_number if placement else None,
    )


def rates_by_district() -> list[statistics.RateRow]:
    """Counts only: the public sees what observers see."""
    return statistics.by_district(Application.objects.all())


def rates_by_school() -> list[statistics.RateRow]:
    return statistics.by_school(Application.objects.all())


def timetable_rounds() -> dict[str, object]:
    return {"rounds": Round.objects.select_related("term").order_by("-term__year", "level", "kind")}


def school_tables() -> dict[str, object]:
    """Every round's seats and demand per school, newest term first, for the public page."""
    rounds = Round.objects.select_related("term").order_by("-term__year", "level", "kind")
    return {"tables": [(r, school_demand(r), seat_plans(r)) for r in rounds]}


def seat_plans(round_: Round) -> dict[str, dict[str, int]]:
    """Reserved quotas per school code in a round (only schools that have any)."""
    return {
        code: reserved
        for code, reserved in SeatPlan.objects.filter(round=round_).values_list(
            "school__code", "reserved"
        )
        if reserved
    }
