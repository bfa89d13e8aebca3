"""Public pages of lottery ceremonies: anyone may read them, nobody needs to log in.

Only what has been published is shown: a ceremony appears once its entry list
is frozen, sources once announced, values once accepted, the result once drawn.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from sunshine.admissions import ceremony_selectors as selectors
from sunshine.admissions.models import Ceremony, LotteryDraw
from sunshine.engine.lottery.record import verify_record

ENTRIES_PER_PAGE = 200
# Seconds between reloads of a projector still waiting for the draw.
WAITING_REFRESH_SECONDS = 10


def _published(pk: int) -> Ceremony:
    return get_object_or_404(selectors.published_ceremonies(), pk=pk)


@require_GET
def ceremony_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public/ceremony_list.html", {"ceremonies": selectors.published_ceremonies()}
    )


@require_GET
def ceremony_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _published(pk)
    entries = Paginator(ceremony.entries.order_by("position"), ENTRIES_PER_PAGE)
    return render(
        request,
        "public/ceremony_detail.html",
        {
            "ceremony": ceremony,
            "page": entries.get_page(request.GET.get("page")),
            "intact": selectors.entry_list_intact(ceremony),
            "sources": _sources(ceremony),
            "school_draws": selectors.draws_from_ceremony(ceremony, committed_only=True),
            "redraw": selectors.published_ceremonies().filter(supersedes=ceremony).first(),
        },
    )


def _sources(ceremony: Ceremony) -> list[dict[str, object]]:
    rows = []
    for source in ceremony.sources.all():
        row: dict[str, object] = {
            "source": source,
            "description": selectors.describe_source(source),
        }
        if source.drand_round:
            row["expected_at"] = selectors.drand_round_time(source.drand_chain, source.drand_round)
        rows.append(row)
    return rows


@require_GET
def ceremony_projector(request: HttpRequest, pk: int) -> HttpResponse:
    """Large type for a hall: the drawn order, revealed one by one where JavaScript runs."""
    ceremony = _published(pk)
    draws = _projectable(ceremony)
    shown = draws[0] if draws else None
    wanted = request.GET.get("draw")
    if wanted:
        shown = next((d for d in draws if d.reference == wanted), None)
        if shown is None:
            raise Http404
    masked = dict(ceremony.entries.values_list("code", "masked_name"))
    lines = (
        [
            (number, code, masked.get(code, ""))
            for number, code in enumerate(shown.record["order"], 1)
        ]
        if shown
        else []
    )
    response = render(
        request,
        "public/ceremony_projector.html",
        {
            "ceremony": ceremony,
            "shown": shown,
            "draws": draws,
            "lines": lines,
            "sources": _sources(ceremony),
        },
    )
    if ceremony.draw is None:
        response["Refresh"] = str(WAITING_REFRESH_SECONDS)
    return response


def _projectable(ceremony: Ceremony) -> list[LotteryDraw]:
    """The ceremony's own draw, then the school draws that used its sources."""
    if ceremony.draw is None:
        return []
    return [ceremony.draw, *selectors.draws_from_ceremony(ceremony, committed_only=False)]


@require_GET
def ceremony_record(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _published(pk)
    if ceremony.draw is None:
        raise Http404
    draw = ceremony.draw
    return render(
        request,
        "public/ceremony_record.html",
        {
            "ceremony": ceremony,
            "draw": draw,
            # Signatures were checked against the drand key when the values were entered;
            # the full check is one command away (sunshine lottery verify).
            "verification": verify_record(draw.record, check_drand_signatures=False),
            "lines": selectors.drawn_lines(ceremony),
        },
    )


urlpatterns = [
    path("", ceremony_list, name="ceremonies"),
    path("<int:pk>/", ceremony_detail, name="ceremony"),
    path("<int:pk>/projector/", ceremony_projector, name="ceremony_projector"),
    path("<int:pk>/record/", ceremony_record, name="ceremony_record"),
]
