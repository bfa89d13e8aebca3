"""Transparency pages: anyone may read them, nobody needs to log in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from sunshine.admissions.models import LotteryDraw
from sunshine.audit.selectors import verify_chain
from sunshine.public import selectors
from sunshine.public.forms import ResultLookupForm
from sunshine.public.fragments import shared_fragment
from sunshine.schools.models import Round


def home(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.select_related("term").order_by("-term__year", "level", "kind")
    return render(request, "public/home.html", {"rounds": rounds, "rates": selectors.city_rates()})


def timetable(request: HttpRequest) -> HttpResponse:
    rounds = shared_fragment("public/_timetable_rounds.html", selectors.timetable_rounds)
    return render(request, "public/timetable.html", {"rounds": rounds})


def schools(request: HttpRequest) -> HttpResponse:
    tables = shared_fragment("public/_school_tables.html", selectors.school_tables)
    return render(request, "public/schools.html", {"tables": tables})


def lotteries(request: HttpRequest) -> HttpResponse:
    return render(request, "public/lotteries.html", {"draws": selectors.recent_draws()})


def lottery_detail(request: HttpRequest, reference: str) -> HttpResponse:
    draw = get_object_or_404(LotteryDraw, reference=reference)
    return render(request, "public/lottery_detail.html", {"draw": draw})


def lottery_record(request: HttpRequest, reference: str) -> JsonResponse:
    draw = get_object_or_404(LotteryDraw, reference=reference)
    response = JsonResponse(draw.record, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{draw.reference}.json"'
    return response


def results(request: HttpRequest) -> HttpResponse:
    form = ResultLookupForm(request.POST or None)
    result = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        result = selectors.lookup_result(
            form.cleaned_data["reference"], form.cleaned_data["id_last_four"]
        )
    return render(
        request, "public/results.html", {"form": form, "result": result, "searched": searched}
    )


def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/statistics.html",
        {
            "rates": selectors.city_rates(),
            "districts": selectors.rates_by_district(),
            "schools": selectors.rates_by_school(),
        },
    )


def verify_guide(request: HttpRequest) -> HttpResponse:
    return render(request, "public/verify.html")


def audit(request: HttpRequest) -> HttpResponse:
    return render(request, "public/audit.html", {"report": verify_chain()})
