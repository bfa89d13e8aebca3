"""Which rows a user may see. Selectors filter through these, never templates."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sunshine.accounts.models import Role, User
from sunshine.applications.models import Application


def visible_applications(user: User) -> QuerySet[Application]:
    applications = Application.objects.all()
    if user.role == Role.CITY:
        return applications
    if user.role == Role.DISTRICT:
        return applications.filter(
            Q(zone_school__district=user.district_id)
            | Q(choices__school__district=user.district_id)
        ).distinct()
    if user.role == Role.SCHOOL:
        return applications.filter(
            Q(zone_school=user.school_id) | Q(choices__school=user.school_id)
        ).distinct()
    if user.role == Role.PARENT:
        return applications.filter(child__guardians__user=user).distinct()
    return applications.none()
