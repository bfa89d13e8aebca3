"""What a parent sees about their own children."""

from __future__ import annotations

from dataclasses import dataclass

from sunshine.accounts.models import User
from sunshine.accounts.scopes import visible_applications
from sunshine.admissions.models import Placement
from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application
from sunshine.verification.models import VerificationCheck


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    checks: list[VerificationCheck]
    placement: Placement | None


def my_applications(user: User) -> list[ApplicationView]:
    applications = (
        visible_applications(user)
        .select_related("child", "round__term", "zone_school")
        .order_by("-created_at")
    )
    return [
        ApplicationView(
            application=application,
            checks=list(application.checks.order_by("check_name")),
            placement=placement_of(application),
        )
        for application in applications
    ]
