"""What staff see, limited to their scope. Every console view reads through here.

Scopes: the city bureau sees every school; a district bureau the schools of its
district; school staff their own school; an observer only published runs and
aggregate figures, never a child.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from sunshine.accounts.models import Role, User
from sunshine.accounts.scopes import visible_applications
from sunshine.admissions.models import AdmissionRun, Placement, RunStatus
from sunshine.applications.models import Application
from sunshine.classes.models import ClassMembership, PlacementRun
from sunshine.console.models import RefillAdmission, RefillStatus, SeatRefill
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.schools.models import District, School, Term
from sunshine.schools.selectors import schools_in_scope

DECIDED_RUN = [RunStatus.COMMITTED, RunStatus.PUBLISHED]


def status_counts(user: User) -> list[tuple[str, int]]:
    rows = visible_applications(user).values("status").annotate(n=Count("pk")).order_by("status")
    labels = dict(Application._meta.get_field("status").choices or [])
    return [(str(labels.get(row["status"], row["status"])), row["n"]) for row in rows]


def school_applications(user: User, limit: int = 200) -> QuerySet[Application]:
    return (
        visible_applications(user)
        .select_related("child", "category", "zone_school")
        .order_by("reference")[:limit]
    )


def school_codes(user: User) -> set[str] | None:
    """Codes of the schools in scope; None when the scope is every school."""
    if user.role in {Role.CITY, Role.OBSERVER}:
        return None
    return set(schools_in_scope(user).values_list("code", flat=True))


def district_codes(user: User) -> set[str] | None:
    if user.role in {Role.CITY, Role.OBSERVER}:
        return None
    return set(
        District.objects.filter(schools__in=schools_in_scope(user)).values_list("code", flat=True)
    )


def school_in_scope(user: User, code: str) -> School:
    school = schools_in_scope(user).filter(code=code).first()
    if school is None:
        raise Http404
    return school


# ------------------------------------------------------------------ admission runs


def runs(user: User) -> QuerySet[AdmissionRun]:
    """Runs a user may open: observers only published ones, school staff none."""
    rows = AdmissionRun.objects.select_related("round__term").order_by("-created_at", "-pk")
    if user.role in {Role.CITY, Role.DISTRICT}:
        return rows
    if user.role == Role.OBSERVER:
        return rows.filter(status=RunStatus.PUBLISHED)
    return rows.none()


def run_in_scope(user: User, pk: int) -> AdmissionRun:
    run = runs(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def refill_in_scope(user: User, pk: int) -> SeatRefill:
    refill = (
        SeatRefill.objects.filter(pk=pk, run__in=runs(user)).select_related("run__round").first()
    )
    if refill is None:
        raise Http404
    return refill


def refills(run: AdmissionRun) -> QuerySet[SeatRefill]:
    return SeatRefill.objects.filter(run=run).annotate(admitted=Count("admissions"))


def outbox_counts() -> dict[str, int]:
    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in MessageStatus.values}


# ------------------------------------------------------------------ classes


@dataclass(frozen=True)
class ClassSchool:
    school: School
    admitted: int
    frozen: PlacementRun | None
    previews: int


def class_schools(user: User) -> list[ClassSchool]:
    """Schools in scope with admitted pupils, and where their class placement stands."""
    if user.role not in {Role.CITY, Role.DISTRICT, Role.SCHOOL}:
        return []
    admitted: Counter[int] = Counter(
        dict(
            Placement.objects.filter(run__status__in=DECIDED_RUN, school__in=schools_in_scope(user))
            .values_list("school")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    admitted.update(
        RefillAdmission.objects.filter(
            refill__status=RefillStatus.COMMITTED, school__in=schools_in_scope(user)
        ).values_list("school", flat=True)
    )
    runs_by_school: dict[int, list[PlacementRun]] = {}
    for run in PlacementRun.objects.filter(school_id__in=admitted).order_by("pk"):
        runs_by_school.setdefault(run.school_id, []).append(run)
    rows = []
    for school in schools_in_scope(user).filter(pk__in=admitted).order_by("code"):
        made = runs_by_school.get(school.pk, [])
        rows.append(
            ClassSchool(
                school=school,
                admitted=admitted[school.pk],
                frozen=next((r for r in made if r.frozen), None),
                previews=len(made),
            )
        )
    return rows


def placement_term(school: School) -> Term | None:
    """The latest term in which the school has admitted pupils."""
    return (
        Term.objects.filter(
            rounds__runs__status__in=DECIDED_RUN, rounds__runs__placements__school=school
        )
        .order_by("-year")
        .first()
    )


def class_runs(user: User) -> QuerySet[PlacementRun]:
    rows = PlacementRun.objects.select_related("school").prefetch_related("classes__head_teacher")
    if user.role in {Role.CITY, Role.DISTRICT, Role.SCHOOL}:
        return rows.filter(school__in=schools_in_scope(user)).order_by("-created_at", "-pk")
    return rows.none()


def class_run_in_scope(user: User, pk: int) -> PlacementRun:
    run = class_runs(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def class_members(run: PlacementRun) -> dict[int, list[Application]]:
    """Pupils of each class (by class pk), in reference order."""
    members: dict[int, list[Application]] = {}
    for membership in (
        ClassMembership.objects.filter(school_class__run=run)
        .select_related("application__child")
        .order_by("application__reference")
    ):
        members.setdefault(membership.school_class_id, []).append(membership.application)
    return members


# ------------------------------------------------------------------ statistics and exports


def statistics_applications(user: User) -> QuerySet[Application]:
    """Applications behind the rates a user may see (counts only, for observers too)."""
    if user.role in {Role.CITY, Role.OBSERVER}:
        return Application.objects.all()
    return visible_applications(user)


def admitted_rows(user: User) -> list[tuple[str | int | None, ...]]:
    """Admitted pupils of the schools in scope, including those admitted from waitlists."""
    schools = schools_in_scope(user) if user.role != Role.OBSERVER else School.objects.none()
    rows = []
    for p in (
        Placement.objects.filter(run__status__in=DECIDED_RUN, school__in=schools)
        .select_related("application__child", "school", "run__round")
        .order_by("school__code", "application__reference")
    ):
        rows.append(_pupil_row(p.application, p.school, p.get_stage_display(), p))
    for r in (
        RefillAdmission.objects.filter(refill__status=RefillStatus.COMMITTED, school__in=schools)
        .select_related("application__child", "application__category", "school")
        .order_by("school__code", "application__reference")
    ):
        rows.append(_pupil_row(r.application, r.school, "候补递补", None, r.lottery_number))
    return rows


ADMITTED_HEADER = (
    "报名编号",
    "姓名",
    "性别",
    "出生日期",
    "录取学校",
    "学校代码",
    "录取方式",
    "类别",
    "摇号序号",
)


def _pupil_row(
    application: Application,
    school: School | None,
    how: str,
    placement: Placement | None,
    number: int | None = None,
) -> tuple[str | int | None, ...]:
    child = application.child
    category = placement.category if placement else getattr(application, "category", None)
    if category is not None and not isinstance(category, int):
        category = category.category
    return (
        application.reference,
        child.name,
        child.get_sex_display(),
        child.birth_date.isoformat(),
        school.name if school else "",
        school.code if school else "",
        how,
        category,
        placement.lottery_number if placement else number,
    )


COORDINATED_HEADER = ("报名编号", "姓名", "片区学校", "安排学校", "方式", "类别")


def coordinated_rows(user: User) -> list[tuple[str | int | None, ...]]:
    from sunshine.admissions.runs import coordinated_placements

    if user.role not in {Role.CITY, Role.DISTRICT}:
        return []
    codes = school_codes(user)
    rows = []
    for run in AdmissionRun.objects.filter(status__in=DECIDED_RUN).order_by("pk"):
        for p in coordinated_placements(run, codes):
            zone = p.application.zone_school
            rows.append(
                (
                    p.application.reference,
                    p.application.child.name,
                    zone.name if zone else "",
                    p.school.name if p.school else "",
                    p.get_stage_display(),
                    p.category,
                )
            )
    return rows


def scope_label(user: User) -> str:
    if user.role == Role.SCHOOL and user.school:
        return f"school:{user.school.code}"
    if user.role == Role.DISTRICT and user.district:
        return f"district:{user.district.code}"
    return str(user.role)
