"""The parents' portal: where each application stands and what to do next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.accounts.models import Role
from sunshine.portal.selectors import my_applications


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.PARENT:  # type: ignore[union-attr]
        raise PermissionDenied
    return render(request, "portal/home.html", {"items": my_applications(request.user)})  # type: ignore[arg-type]
