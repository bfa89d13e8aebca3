"""Which rows a user may see. Selectors filter through these, never templates."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sunshine.accounts.models import Role, User
from sunshine.applications.models import Application, Choice, Guardianship


def children_of(user: User) -> QuerySet[Guardianship]:
    """The ids of the children ``user`` is a guardian of, as a subquery."""
    return Guardianship.objects.filter(guardian__user=user).values("child")


def visible_applications(user: User) -> QuerySet[Application]:
    applications = Application.objects.all()
    if user.role == Role.CITY:
        return applications
    # Scopes are written as semi-joins (IN a subquery) rather than joins with DISTINCT:
    # DISTINCT would sort whole rows, and the planner's time grows with every join.
    if user.role == Role.DISTRICT:
        return applications.filter(
            Q(zone_school__district=user.district_id)
            | Q(
                pk__in=Choice.objects.filter(school__district=user.district_id).values(
                    "application"
                )
            )
        )
    if user.role == Role.SCHOOL:
        return applications.filter(
            Q(zone_school=user.school_id)
            | Q(pk__in=Choice.objects.filter(school=user.school_id).values("application"))
        )
    if user.role == Role.PARENT:
        return applications.filter(child__in=children_of(user))
    return applications.none()
