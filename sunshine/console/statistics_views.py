"""The three rates by district, school and day, with charts; exports with a logged reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.accounts.models import Role
from sunshine.admissions import statistics
from sunshine.console import exports, selectors
from sunshine.console.access import READERS, STAFF, actor, roles, staff
from sunshine.console.forms import ExportForm
from sunshine.console.services import record_export

RATE_HEADER = (
    "分组",
    "代码",
    "儿童",
    "线上报名",
    "线上报名率",
    "已提交申请",
    "核验完成",
    "核验率",
    "已决定",
    "已录取",
    "录取率",
)


def _tables(request: HttpRequest) -> dict[str, list[statistics.RateRow]]:
    user = staff(request)
    applications = selectors.statistics_applications(user)
    return {
        "district": statistics.by_district(applications, selectors.district_codes(user)),
        "school": statistics.by_school(applications, selectors.school_codes(user)),
        "day": statistics.by_day(applications),
    }


@roles(*READERS)
def statistics_page(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    tables = _tables(request)
    return render(
        request,
        "console/statistics.html",
        {
            "total": statistics.totals(selectors.statistics_applications(user)),
            "districts": tables["district"],
            "schools": tables["school"],
            "days": tables["day"],
            "can_export_people": user.role in STAFF,
        },
    )


def _rate(value: float) -> float:
    return round(value * 100, 1)


@roles(*READERS)
def statistics_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """Aggregate figures only: no child is named, so no reason is asked."""
    tables = _tables(request)
    if table not in tables or fmt not in exports.CONTENT_TYPES:
        raise Http404
    rows = [
        (
            r.label,
            r.key,
            r.children,
            r.registered,
            _rate(r.registration_rate),
            r.submitted,
            r.verified,
            _rate(r.verification_rate),
            r.decided,
            r.admitted,
            _rate(r.admission_rate),
        )
        for r in tables[table]
    ]
    content = exports.render(fmt, RATE_HEADER, rows, title=f"rates-{table}")
    return _download(content, fmt, f"rates-{table}")


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@roles(*STAFF)
def personal_export(request: HttpRequest) -> HttpResponse:
    """Lists of named children: each download needs a reason and is written to the audit log."""
    user = staff(request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind, fmt = form.cleaned_data["kind"], form.cleaned_data["format"]
        if kind == "coordinated" and user.role == Role.SCHOOL:
            raise PermissionDenied
        header, rows = (
            (selectors.ADMITTED_HEADER, selectors.admitted_rows(user))
            if kind == "admitted"
            else (selectors.COORDINATED_HEADER, selectors.coordinated_rows(user))
        )
        content = exports.render(fmt, header, rows, title=kind)
        try:
            record_export(
                actor(request),
                kind=kind,
                fmt=fmt,
                reason=form.cleaned_data["reason"],
                rows=len(rows),
                scope=selectors.scope_label(user),
                content=content,
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            return _download(content, fmt, kind)
    if request.method == "POST" and not form.is_valid():
        messages.error(request, _("导出个人信息须选择名单并填写原因"))
    return render(request, "console/exports.html", {"form": form})
