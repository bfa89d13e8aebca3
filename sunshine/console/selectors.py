"""What staff see, limited to their scope."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from sunshine.accounts.models import Role, User
from sunshine.accounts.scopes import visible_applications
from sunshine.admissions.models import AdmissionRun
from sunshine.applications.models import Application
from sunshine.classes.models import PlacementRun


def status_counts(user: User) -> list[tuple[str, int]]:
    rows = visible_applications(user).values("status").annotate(n=Count("pk")).order_by("status")
    labels = dict(Application._meta.get_field("status").choices or [])
    return [(str(labels.get(row["status"], row["status"])), row["n"]) for row in rows]


def runs(user: User) -> QuerySet[AdmissionRun]:
    if user.role in {Role.CITY, Role.DISTRICT, Role.OBSERVER}:
        return AdmissionRun.objects.select_related("round__term").order_by("-created_at")
    return AdmissionRun.objects.none()


def school_applications(user: User, limit: int = 200) -> QuerySet[Application]:
    return (
        visible_applications(user)
        .select_related("child", "category", "zone_school")
        .order_by("reference")[:limit]
    )


def class_runs(user: User) -> QuerySet[PlacementRun]:
    runs = PlacementRun.objects.select_related("school").prefetch_related("classes__head_teacher")
    if user.role == Role.SCHOOL:
        return runs.filter(school=user.school_id)
    if user.role == Role.DISTRICT:
        return runs.filter(school__district=user.district_id)
    if user.role == Role.CITY:
        return runs
    return runs.none()
