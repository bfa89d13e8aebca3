"""The answer to a request the server did not serve: come back in a few seconds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def come_back_later(
    request: HttpRequest,
    *,
    status: int,
    seconds: int,
    template: str,
    detail: str,
    message: str,
) -> HttpResponse:
    """A page for browsers, JSON for apps, both with ``Retry-After`` and never cached.

    A reload would turn a form post into a GET and drop what was typed, so only reads
    reload by themselves; the page for a post asks the family to send the form again.
    """
    if "text/html" in request.headers.get("Accept", ""):
        context = {"retry_after": seconds, "reload": request.method in SAFE_METHODS}
        response = HttpResponse(render_to_string(template, context, request), status=status)
    else:
        response = JsonResponse({"detail": detail, "message": message}, status=status)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
