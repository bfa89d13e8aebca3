"""One-click class placement and the head-teacher draw, for a school's admitted pupils."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sunshine.accounts.models import Role
from sunshine.classes import services as classes
from sunshine.classes.models import Teacher
from sunshine.console import selectors
from sunshine.console.access import STAFF, actor, roles, staff
from sunshine.console.forms import SourcesForm, TeachersForm
from sunshine.privacy.masking import mask_name


@roles(*STAFF)
def class_schools(request: HttpRequest) -> HttpResponse:
    rows = selectors.class_schools(staff(request))
    return render(request, "console/classes.html", {"rows": rows})


@roles(*STAFF)
def class_school(request: HttpRequest, code: str) -> HttpResponse:
    user = staff(request)
    school = selectors.school_in_scope(user, code)
    return _school_page(request, school)


def _school_page(
    request: HttpRequest,
    school: object,
    *,
    sources_form: SourcesForm | None = None,
    draw_form: SourcesForm | None = None,
    teachers_form: TeachersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff(request)
    term = selectors.placement_term(school)  # type: ignore[arg-type]
    runs = selectors.class_runs(user).filter(school=school)
    frozen = next((r for r in runs if r.frozen), None)
    return render(
        request,
        "console/class_school.html",
        {
            "school": school,
            "admitted": len(classes.admitted_pupils(school, term)) if term else 0,  # type: ignore[arg-type]
            "runs": runs,
            "frozen": frozen,
            "teachers": Teacher.objects.filter(school=school).order_by("pk"),
            "sources_form": sources_form or SourcesForm(prefix="place"),
            "draw_form": draw_form or SourcesForm(prefix="draw"),
            "teachers_form": teachers_form or TeachersForm(),
        },
        status=status,
    )


@require_POST
@roles(*STAFF)
def place(request: HttpRequest, code: str) -> HttpResponse:
    school = selectors.school_in_scope(staff(request), code)
    form = SourcesForm(request.POST, prefix="place")
    term = selectors.placement_term(school)
    if term is None:
        messages.error(request, _("该校还没有已确认录取的学生"))
        return redirect("console:class_school", code=school.code)
    if form.is_valid():
        try:
            run = classes.place_classes(
                actor(request), school, term, sources=form.cleaned_data["sources"]
            )
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("已生成分班预览，请核对均衡指标后确定名单"))
            return redirect("console:class_run", pk=run.pk)
    return _school_page(request, school, sources_form=form, status=400)


@require_POST
@roles(*STAFF)
def teachers(request: HttpRequest, code: str) -> HttpResponse:
    school = selectors.school_in_scope(staff(request), code)
    form = TeachersForm(request.POST)
    if not form.is_valid():
        return _school_page(request, school, teachers_form=form, status=400)
    added = classes.add_teachers(actor(request), school, form.cleaned_data["names"])
    messages.success(request, _("已添加 %(n)s 位班主任") % {"n": len(added)})
    return redirect("console:class_school", code=school.code)


@roles(*STAFF)
def class_run(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff(request)
    run = selectors.class_run_in_scope(user, pk)
    members = selectors.class_members(run)
    show_names = user.role == Role.SCHOOL
    lists = [
        (
            school_class,
            [
                (a, a.child.name if show_names else mask_name(a.child.name))
                for a in members.get(school_class.pk, [])
            ],
        )
        for school_class in run.classes.select_related("head_teacher", "teacher_draw")
    ]
    boys = {
        school_class.pk: sum(1 for a, _ in pupils if a.child.sex == "M")
        for school_class, pupils in lists
    }
    return render(
        request,
        "console/class_run.html",
        {
            "run": run,
            "lists": [(c, pupils, boys[c.pk]) for c, pupils in lists],
            "draw_form": SourcesForm(prefix="draw"),
            "teacher_count": Teacher.objects.filter(school=run.school).count(),
            "drawn": any(c.head_teacher_id for c, _ in lists),
        },
    )


@require_POST
@roles(*STAFF)
def freeze(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.class_run_in_scope(staff(request), pk)
    if run.frozen:
        messages.info(request, _("分班名单已确定"))
        return redirect("console:class_run", pk=run.pk)
    try:
        classes.freeze_classes(actor(request), run)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("分班名单已确定，可以抽签确定班主任"))
    return redirect("console:class_run", pk=run.pk)


@require_POST
@roles(*STAFF)
def draw(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.class_run_in_scope(staff(request), pk)
    if run.classes.filter(head_teacher__isnull=False).exists():
        messages.info(request, _("班主任已抽签确定"))
        return redirect("console:class_run", pk=run.pk)
    form = SourcesForm(request.POST, prefix="draw")
    if not form.is_valid():
        for problem in [e for errors in form.errors.values() for e in errors]:
            messages.error(request, problem)
        return redirect("console:class_run", pk=run.pk)
    try:
        classes.draw_head_teachers(actor(request), run, sources=form.cleaned_data["sources"])
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("班主任抽签完成，抽签记录已公开"))
    return redirect("console:class_run", pk=run.pk)
