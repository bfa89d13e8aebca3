"""The staff console: each role sees its own scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.accounts.models import Role
from sunshine.console import selectors
from sunshine.privacy.masking import mask_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.PARENT:  # type: ignore[union-attr]
        raise PermissionDenied
    applications = [
        (a, mask_name(a.child.name))
        for a in selectors.school_applications(user)  # type: ignore[arg-type]
    ]
    return render(
        request,
        "console/home.html",
        {
            "counts": selectors.status_counts(user),  # type: ignore[arg-type]
            "runs": selectors.runs(user),  # type: ignore[arg-type]
            "applications": applications,
            "class_runs": selectors.class_runs(user),  # type: ignore[arg-type]
        },
    )
