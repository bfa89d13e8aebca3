"""Admission day: preview, compare, commit, publish, review, refill, supplementary, notify.

Every button previews first, commits once and leaves an audit record; pressing a
commit or send button a second time changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.accounts.models import Role
from sunshine.admissions import runs as admission_runs
from sunshine.admissions import services as admissions
from sunshine.admissions.models import RunStatus
from sunshine.admissions.selectors import committed_run
from sunshine.console import selectors
from sunshine.console.access import BUREAUS, actor, roles, staff
from sunshine.console.forms import ReleasedSeatsForm, SourcesForm, SupplementaryForm
from sunshine.console.models import RefillStatus
from sunshine.console.setup_views import apply_errors
from sunshine.privacy.masking import mask_name
from sunshine.schools.models import Round, RoundKind
from sunshine.schools.selectors import rounds as all_rounds

ADMISSION_READERS = (*BUREAUS, Role.OBSERVER)


def _admission_page(
    request: HttpRequest, failed: Round | None = None, form: SourcesForm | None = None
) -> HttpResponse:
    user = staff(request)
    visible = list(selectors.runs(user))
    rounds = [
        (
            round_,
            [run for run in visible if run.round_id == round_.pk],
            committed_run(round_),
            form if failed == round_ and form else SourcesForm(prefix=f"r{round_.pk}"),
        )
        for round_ in all_rounds()
    ]
    return render(
        request,
        "console/admission.html",
        {
            "rounds": rounds,
            "outbox": selectors.outbox_counts() if user.role == Role.CITY else None,
        },
        status=400 if failed else 200,
    )


@roles(*ADMISSION_READERS)
def admission(request: HttpRequest) -> HttpResponse:
    return _admission_page(request)


@require_POST
@roles(Role.CITY)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round, pk=pk)
    form = SourcesForm(request.POST, prefix=f"r{round_.pk}")
    if form.is_valid():
        try:
            run = admissions.preview_admission(
                actor(request), round_, sources=form.cleaned_data["sources"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已生成录取预览，请核对后再确认"))
            return redirect("console:run", pk=run.pk)
    return _admission_page(request, round_, form)


@roles(*ADMISSION_READERS)
def run(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff(request)
    shown = selectors.run_in_scope(user, pk)
    codes = selectors.school_codes(user)
    others = selectors.runs(user).filter(round=shown.round).exclude(pk=shown.pk)
    return render(
        request,
        "console/run.html",
        {
            "run": shown,
            "schools": admission_runs.run_schools(shown, codes),
            "others": others,
            "decided": committed_run(shown.round),
            "draws": shown.draws.select_related("school").order_by("title"),
            "refills": selectors.refills(shown) if user.role != Role.OBSERVER else [],
            "can_act": user.role == Role.CITY,
        },
    )


@require_POST
@roles(Role.CITY)
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.run_in_scope(staff(request), pk)
    if shown.status != RunStatus.PREVIEW:
        messages.info(request, _("该录取结果已确认，无需重复确认"))
        return redirect("console:run", pk=shown.pk)
    try:
        admissions.commit_admission(actor(request), shown)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("录取结果已确认，录取短信已进入待发送队列"))
    return redirect("console:run", pk=shown.pk)


@require_POST
@roles(Role.CITY)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.run_in_scope(staff(request), pk)
    if shown.status == RunStatus.PUBLISHED:
        messages.info(request, _("该录取结果已公布"))
        return redirect("console:run", pk=shown.pk)
    try:
        admissions.publish_admission(actor(request), shown)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("录取结果及复算文件已公布"))
    return redirect("console:run", pk=shown.pk)


@roles(*BUREAUS)
def compare(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    try:
        first = selectors.run_in_scope(user, int(request.GET.get("first", "")))
        second = selectors.run_in_scope(user, int(request.GET.get("second", "")))
    except ValueError:
        messages.error(request, _("请选择要比较的两次预览"))
        return redirect("console:admission")
    try:
        comparison = admission_runs.compare_runs(first, second, selectors.school_codes(user))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("console:run", pk=first.pk)
    return render(request, "console/compare.html", {"comparison": comparison})


@roles(*BUREAUS)
def coordinated(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff(request)
    shown = selectors.run_in_scope(user, pk)
    rows = [
        (p, mask_name(p.application.child.name))
        for p in admission_runs.coordinated_placements(shown, selectors.school_codes(user))
    ]
    return render(request, "console/coordinated.html", {"run": shown, "rows": rows})


@roles(Role.CITY)
def refill(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.run_in_scope(staff(request), pk)
    if shown.status == RunStatus.PREVIEW:
        messages.error(request, _("请先确认录取结果，再递补空出的学位"))
        return redirect("console:run", pk=shown.pk)
    counts = list(admission_runs.seat_counts(shown).values())
    form = ReleasedSeatsForm(request.POST or None, counts=counts)
    if request.method == "POST" and form.is_valid():
        try:
            made = admission_runs.preview_refill(
                actor(request), shown, form.released(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已生成递补预览，请核对后再确认"))
            return redirect("console:refill_detail", pk=made.pk)
    fields = [(count, form[f"released_{count.code}"]) for count in counts]
    return render(request, "console/refill.html", {"run": shown, "form": form, "fields": fields})


@roles(*BUREAUS)
def refill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff(request)
    shown = selectors.refill_in_scope(user, pk)
    codes = selectors.school_codes(user)
    admitted = [
        (a, mask_name(a.application.child.name))
        for a in shown.admissions.select_related("application__child", "school").order_by(
            "school__code", "priority", "lottery_number"
        )
        if codes is None or a.school.code in codes
    ]
    return render(
        request,
        "console/refill_detail.html",
        {
            "refill": shown,
            "admitted": admitted,
            "can_act": user.role == Role.CITY and shown.status == RefillStatus.PREVIEW,
        },
    )


@require_POST
@roles(Role.CITY)
def refill_commit(request: HttpRequest, pk: int) -> HttpResponse:
    shown = selectors.refill_in_scope(staff(request), pk)
    if shown.status == RefillStatus.COMMITTED:
        messages.info(request, _("该递补结果已确认，无需重复确认"))
        return redirect("console:refill_detail", pk=shown.pk)
    try:
        admission_runs.commit_refill(actor(request), shown)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("递补结果已确认，录取短信已进入待发送队列"))
    return redirect("console:refill_detail", pk=shown.pk)


@roles(Role.CITY)
def supplementary(request: HttpRequest, pk: int) -> HttpResponse:
    main_round = get_object_or_404(Round, pk=pk, kind=RoundKind.MAIN)
    decided = committed_run(main_round)
    form = SupplementaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = admission_runs.open_supplementary_round(
                actor(request),
                main_round,
                form.timetable(),
                allows_private_choice=form.cleaned_data["allows_private_choice"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已开设补报名：%(round)s") % {"round": opened})
            return redirect("console:admission")
    counts = list(admission_runs.seat_counts(decided).values()) if decided else []
    return render(
        request,
        "console/supplementary.html",
        {"round": main_round, "decided": decided, "counts": counts, "form": form},
    )


@require_POST
@roles(Role.CITY)
def notify(request: HttpRequest) -> HttpResponse:
    report = admission_runs.send_all_results(actor(request))
    if report.sent or report.failed:
        messages.success(
            request,
            _("短信发送完毕：成功 %(sent)s 条，失败 %(failed)s 条，待重试 %(pending)s 条")
            % {"sent": report.sent, "failed": report.failed, "pending": report.pending},
        )
    else:
        messages.info(request, _("没有待发送的短信，所有结果均已发出"))
    return redirect("console:admission")
