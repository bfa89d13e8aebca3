"""The staff console's front page: each role sees its own scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.console import selectors
from sunshine.console.access import READERS, roles, staff
from sunshine.privacy.masking import mask_name


@roles(*READERS)
def home(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    applications = [(a, mask_name(a.child.name)) for a in selectors.school_applications(user)]
    return render(
        request,
        "console/home.html",
        {
            "counts": selectors.status_counts(user),
            "runs": selectors.runs(user)[:20],
            "applications": applications,
            "class_runs": selectors.class_runs(user).filter(frozen=True),
        },
    )
