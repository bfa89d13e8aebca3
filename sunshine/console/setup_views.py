"""Set-up of the year: terms, rounds and timetable, schools and seat plans, catchment zones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.accounts.models import Role
from sunshine.console.access import BUREAUS, actor, roles, staff
from sunshine.console.forms import (
    RoundForm,
    SchoolForm,
    SeatPlanForm,
    TermForm,
    TimetableForm,
    ZoneImportForm,
    reserved_text,
)
from sunshine.engine.policy.loader import default_policy_text
from sunshine.schools import selectors, services, zones
from sunshine.schools.models import District, Round, RoundKind, SeatPlan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's field errors beside the fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@roles(Role.CITY)
def setup(request: HttpRequest) -> HttpResponse:
    term_form = TermForm(request.POST if request.POST.get("form") == "term" else None)
    round_form = RoundForm(request.POST if request.POST.get("form") == "round" else None)
    if request.method == "POST" and term_form.is_bound and term_form.is_valid():
        try:
            services.create_term(
                actor(request),
                year=term_form.cleaned_data["year"],
                name=term_form.cleaned_data["name"],
                reference_date=term_form.cleaned_data["reference_date"],
                policy_toml=default_policy_text(),
            )
        except ValidationError as error:
            apply_errors(term_form, error)
        else:
            messages.success(request, _("已创建招生年度"))
            return redirect("console:setup")
    if request.method == "POST" and round_form.is_bound and round_form.is_valid():
        data = round_form.cleaned_data
        try:
            services.open_round(
                actor(request),
                term=data["term"],
                kind=RoundKind(data["kind"]),
                level=data["level"],
                timetable=round_form.timetable(),
                allows_private_choice=data["allows_private_choice"],
            )
        except ValidationError as error:
            apply_errors(round_form, error)
        else:
            messages.success(request, _("已创建批次，请为各校设置学位"))
            return redirect("console:setup")
    return render(
        request,
        "console/setup.html",
        {"rounds": selectors.rounds(), "term_form": term_form, "round_form": round_form},
    )


@roles(Role.CITY)
def round_timetable(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    initial = {name: getattr(round_, name) for name in services.TIMETABLE_FIELDS}
    form = TimetableForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_timetable(actor(request), round_, form.timetable())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("日程已更新"))
            return redirect("console:setup")
    return render(request, "console/round_timetable.html", {"round": round_, "form": form})


def _districts(request: HttpRequest) -> list[District]:
    user = staff(request)
    if user.role == Role.CITY:
        return list(District.objects.all())
    return list(District.objects.filter(pk=user.district_id))


@roles(*BUREAUS)
def schools(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    form = SchoolForm(request.POST or None, districts=_districts(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.save_school(actor(request), _school_input(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已添加学校 %(name)s") % {"name": created.name})
            return redirect("console:school", code=created.code)
    in_scope = selectors.schools_in_scope(user).order_by("code")
    rounds = list(selectors.rounds())
    plans = {
        (plan.school_id, plan.round_id): plan
        for plan in SeatPlan.objects.filter(school__in=in_scope, round__in=rounds)
    }
    zone_units = selectors.zone_unit_counts(in_scope)
    rows = [
        (school, [plans.get((school.pk, r.pk)) for r in rounds], zone_units.get(school.pk, 0))
        for school in in_scope
    ]
    return render(request, "console/schools.html", {"rows": rows, "rounds": rounds, "form": form})


def _school_input(form: SchoolForm, code: str | None = None) -> services.SchoolInput:
    data = form.cleaned_data
    return services.SchoolInput(
        code=code or data["code"].strip(),
        name=data["name"].strip(),
        district_code=data["district"].code,
        kind=data["kind"],
        level=data["level"],
        address=data["address"].strip(),
        latitude=data["latitude"],
        longitude=data["longitude"],
        class_size=data["class_size"],
    )


@roles(*BUREAUS)
def school(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    row = get_object_or_404(selectors.schools_in_scope(user), code=code)
    initial = {
        "code": row.code,
        "name": row.name,
        "district": row.district,
        "kind": row.kind,
        "level": row.level,
        "address": row.address,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "class_size": row.class_size,
    }
    form = SchoolForm(request.POST or None, initial=initial, districts=_districts(request))
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.save_school(actor(request), _school_input(form, row.code), existing=row)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("学校信息已保存"))
            return redirect("console:school", code=row.code)
    plans = {p.round_id: p for p in row.seat_plans.all()}
    seat_forms = [
        (
            round_,
            plans.get(round_.pk),
            SeatPlanForm(
                initial={
                    "seats": plans[round_.pk].seats if round_.pk in plans else 0,
                    "reserved": reserved_text(plans[round_.pk].reserved)
                    if round_.pk in plans
                    else "",
                },
                prefix=f"r{round_.pk}",
            ),
        )
        for round_ in selectors.rounds().filter(level=row.level)
    ]
    return render(
        request,
        "console/school.html",
        {
            "school": row,
            "form": form,
            "seat_forms": seat_forms,
            "zone_units": row.zone_units.count(),
        },
    )


@require_POST
@roles(*BUREAUS)
def seat_plan(request: HttpRequest, code: str, round_pk: int) -> HttpResponse:
    row = get_object_or_404(selectors.schools_in_scope(staff(request)), code=code)
    round_ = get_object_or_404(Round, pk=round_pk)
    form = SeatPlanForm(request.POST, prefix=f"r{round_.pk}")
    if form.is_valid():
        try:
            services.save_seat_plan(
                actor(request),
                school=row,
                round_=round_,
                seats=form.cleaned_data["seats"],
                reserved=form.cleaned_data["reserved"],
            )
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("学位计划已保存：%(round)s") % {"round": round_})
    else:
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in problems:
                messages.error(request, f"{label}：{problem}" if label else problem)
    return redirect("console:school", code=row.code)


@roles(*BUREAUS)
def zones_import(request: HttpRequest) -> HttpResponse:
    form = ZoneImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        allowed = set(selectors.schools_in_scope(staff(request)).values_list("code", flat=True))
        report = services.import_zones(
            actor(request), form.cleaned_data["file"], allowed_schools=allowed
        )
        if report.ok:
            messages.success(
                request,
                _("已导入 %(rows)s 行片区，涉及 %(schools)s 所学校")
                % {"rows": report.rows, "schools": len(report.schools)},
            )
    return render(
        request,
        "console/zones.html",
        {"form": form, "report": report, "headers": zones.HEADERS},
    )


@roles(*BUREAUS)
def zones_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(zones.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="zones-template.xlsx"'
    return response
