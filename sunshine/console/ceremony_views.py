"""Console pages for lottery ceremonies: bureau staff run them, observers watch read-only.

Each POST calls one service; a refused step comes back as a message naming the
field, and the page shows the ceremony as it now stands.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sunshine.accounts.models import Role, User
from sunshine.admissions import ceremony as services
from sunshine.admissions import ceremony_selectors as selectors
from sunshine.admissions.models import (
    Ceremony,
    CeremonyPurpose,
    CeremonySource,
    CeremonyStatus,
    ObserverRole,
    SourceKind,
)
from sunshine.audit.services import Actor
from sunshine.engine.lottery.drand import CHAINS
from sunshine.engine.lottery.sources import LOTTERY_GAMES
from sunshine.schools.models import Round, School

View = Callable[..., HttpResponse]
_MINUTES = "%Y-%m-%dT%H:%M"
_PREVIEW_LINES = 20

# Labels for the fields services name in their messages.
FIELD_LABELS = {
    "title": _("摇号名称"),
    "round": _("批次"),
    "school": _("学校"),
    "purpose": _("用途"),
    "scheduled_at": _("摇号时间"),
    "venue": _("地点"),
    "entries": _("参与名单"),
    "sources": _("随机数来源"),
    "game": _("彩票玩法"),
    "draw_number": _("期号"),
    "draw_date": _("开奖日期"),
    "chain": _("drand 网络"),
    "round_number": _("drand 轮次"),
    "observer_name": _("监督员姓名"),
    "observer_role": _("监督员身份"),
    "value": _("数值"),
    "signature": _("签名"),
    "previous_signature": _("上一轮签名"),
    "draw": _("摇号"),
    "reason": _("理由"),
    "ceremony": _("摇号仪式"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _only(roles: frozenset[str]) -> Callable[[View], View]:
    """Anonymous visitors log in; users of other roles get 403."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _user(request).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


bureau_only = _only(selectors.BUREAU_ROLES)
viewers_only = _only(selectors.VIEWER_ROLES)


def _actor(request: HttpRequest) -> Actor:
    return Actor.of_request(request)


def _report(request: HttpRequest, error: ValidationError) -> None:
    """Each refusal as one message: the field's label, then what to do."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            label = FIELD_LABELS.get(field, "")
            for problem in problems:
                messages.error(request, f"{label}：{problem}" if label else problem)
    else:
        for problem in error.messages:
            messages.error(request, problem)


def _form_errors(form: forms.Form) -> ValidationError:
    return ValidationError({field: list(errors) for field, errors in form.errors.items()})


# Forms: they turn typed text into service arguments; the services decide.


class CeremonyForm(forms.Form):
    title = forms.CharField(label=_("摇号名称"), max_length=128)
    round = forms.ModelChoiceField(label=_("批次"), queryset=Round.objects.none())
    purpose = forms.ChoiceField(label=_("用途"), choices=CeremonyPurpose.choices)
    school = forms.ModelChoiceField(
        label=_("学校（单校摇号时选择）"), queryset=School.objects.none(), required=False
    )
    scheduled_at = forms.DateTimeField(
        label=_("摇号时间"),
        required=False,
        input_formats=[_MINUTES, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTES),
    )
    venue = forms.CharField(label=_("地点"), max_length=128, required=False)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.select_related("term").order_by(
            "-term__year", "level", "kind"
        )
        self.fields["school"].queryset = _schools_for(user)


def _schools_for(user: User) -> QuerySet[School]:
    schools = School.objects.order_by("code")
    if user.role == Role.DISTRICT:
        return schools.filter(district=user.district_id)
    return schools


class LotteryForm(forms.Form):
    game = forms.ChoiceField(
        label=_("彩票玩法"), choices=[(g.code, g.name) for g in LOTTERY_GAMES.values()]
    )
    draw_number = forms.CharField(label=_("期号"), max_length=32)
    draw_date = forms.DateField(label=_("开奖日期"), widget=forms.DateInput(attrs={"type": "date"}))


class DrandForm(forms.Form):
    chain = forms.ChoiceField(label=_("drand 网络"), choices=[(c, c) for c in CHAINS])
    round_number = forms.IntegerField(label=_("drand 轮次"), min_value=1)


class OnsiteForm(forms.Form):
    observer_name = forms.CharField(label=_("监督员姓名"), max_length=64)
    observer_role = forms.ChoiceField(label=_("监督员身份"), choices=ObserverRole.choices)


class ValueForm(forms.Form):
    value = forms.CharField(
        label=_("数值"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class DrandValueForm(forms.Form):
    signature = forms.CharField(
        label=_("签名"), max_length=400, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    previous_signature = forms.CharField(
        label=_("上一轮签名（default 网络需要）"),
        max_length=400,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RedrawForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)
    title = forms.CharField(label=_("新摇号名称（可不填）"), max_length=128, required=False)


# Pages


@require_GET
@viewers_only
def ceremony_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "console/ceremony_list.html",
        {
            "ceremonies": selectors.visible_ceremonies(user),
            "form": CeremonyForm(user) if user.role in selectors.BUREAU_ROLES else None,
        },
    )


@require_POST
@bureau_only
def ceremony_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CeremonyForm(user, request.POST)
    if not form.is_valid():
        _report(request, _form_errors(form))
        return redirect("console:ceremonies")
    school = form.cleaned_data["school"]
    if not selectors.may_manage(user, school_district=school.district_id if school else None):
        _report(request, ValidationError({"school": _t("区县教育局只能为本区县的学校组织摇号")}))
        return redirect("console:ceremonies")
    try:
        ceremony = services.create_ceremony(
            _actor(request),
            title=form.cleaned_data["title"],
            round_=form.cleaned_data["round"],
            purpose=form.cleaned_data["purpose"],
            school=school,
            scheduled_at=form.cleaned_data["scheduled_at"],
            venue=form.cleaned_data["venue"],
        )
    except ValidationError as error:
        _report(request, error)
        return redirect("console:ceremonies")
    messages.success(request, _t("已创建摇号，请核对并冻结参与名单"))
    return redirect("console:ceremony", pk=ceremony.pk)


def _visible(user: User, pk: int) -> Ceremony:
    ceremony = selectors.visible_ceremonies(user).filter(pk=pk).first()
    if ceremony is None:
        raise Http404
    return ceremony


@require_GET
@viewers_only
def ceremony_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ceremony = _visible(user, pk)
    manages = selectors.may_manage(user, ceremony)
    context: dict[str, Any] = {
        "ceremony": ceremony,
        "manages": manages,
        "sources": [_source_view(source, user) for source in ceremony.sources.all()],
        "drawn": selectors.drawn_lines(ceremony)[:_PREVIEW_LINES],
        "entries": ceremony.entries.all()[:_PREVIEW_LINES],
        "runs": ceremony.runs.select_related("run").order_by("-created_at"),
        "school_draws": selectors.draws_from_ceremony(ceremony, committed_only=False),
        "redraw": Ceremony.objects.filter(supersedes=ceremony).first(),
        "may_preview": selectors.may_preview_admission(user, ceremony),
        "all_accepted": selectors.all_sources_accepted(ceremony),
    }
    if manages and ceremony.status == CeremonyStatus.DRAFT:
        candidates = selectors.candidate_entries(ceremony)
        context["candidates"] = candidates.lines[:_PREVIEW_LINES]
        context["candidate_count"] = len(candidates.lines)
        context["pending"] = candidates.pending
    if manages and ceremony.status == CeremonyStatus.FROZEN:
        context["lottery_form"] = LotteryForm()
        context["drand_form"] = DrandForm()
        context["onsite_form"] = OnsiteForm()
    if manages and ceremony.status == CeremonyStatus.DRAWN:
        context["redraw_form"] = RedrawForm()
    return render(request, "console/ceremony_detail.html", context)


def _source_view(source: CeremonySource, user: User) -> dict[str, Any]:
    """What a staff member sees of a source: never the other typist's value."""
    waiting = selectors.waiting_typing(source) if not source.is_accepted else None
    view: dict[str, Any] = {
        "source": source,
        "description": selectors.describe_source(source),
        "waiting_for": waiting.typed_by if waiting else None,
        "typed_by_me": waiting is not None and waiting.typed_by == user.get_username(),
    }
    if source.kind == SourceKind.DRAND and source.drand_round:
        view["expected_at"] = selectors.drand_round_time(source.drand_chain, source.drand_round)
    if source.kind == SourceKind.DRAND:
        view["form"] = DrandValueForm(prefix=f"s{source.pk}")
    else:
        view["form"] = ValueForm(prefix=f"s{source.pk}")
    return view


def _managed(request: HttpRequest, pk: int) -> Ceremony:
    user = _user(request)
    ceremony = _visible(user, pk)
    if not selectors.may_manage(user, ceremony):
        raise PermissionDenied
    return ceremony


def _back(ceremony: Ceremony, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("console:ceremony", kwargs={"pk": ceremony.pk})
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@bureau_only
def ceremony_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _managed(request, pk)
    try:
        frozen = services.freeze_entry_list(_actor(request), ceremony)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _t("参与名单已冻结并公布，SHA-256：%(hash)s") % {"hash": frozen.entry_list_sha256},
        )
    return _back(ceremony)


ANNOUNCE_FORMS: dict[str, type[forms.Form]] = {
    SourceKind.LOTTERY: LotteryForm,
    SourceKind.DRAND: DrandForm,
    SourceKind.ONSITE: OnsiteForm,
}


@require_POST
@bureau_only
def ceremony_announce(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    ceremony = _managed(request, pk)
    if kind not in ANNOUNCE_FORMS:
        raise Http404
    form = ANNOUNCE_FORMS[kind](request.POST)
    try:
        if not form.is_valid():
            raise _form_errors(form)
        data = form.cleaned_data
        actor = _actor(request)
        if kind == SourceKind.LOTTERY:
            source = services.announce_lottery(actor, ceremony, **data)
        elif kind == SourceKind.DRAND:
            source = services.announce_drand(actor, ceremony, **data)
        else:
            source = services.announce_onsite(actor, ceremony, **data)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _t("已公布随机数来源 %(name)s") % {"name": source.name})
    return _back(ceremony, "sources")


@require_POST
@bureau_only
def ceremony_close(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _managed(request, pk)
    try:
        services.close_announcements(_actor(request), ceremony)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _t("随机数来源已截止公布，可以在仪式上录入数值"))
    return _back(ceremony, "sources")


@require_POST
@bureau_only
def ceremony_enter(request: HttpRequest, pk: int, source_pk: int) -> HttpResponse:
    ceremony = _managed(request, pk)
    source = get_object_or_404(CeremonySource, pk=source_pk, ceremony=ceremony)
    prefix = f"s{source.pk}"
    try:
        if source.kind == SourceKind.DRAND:
            form: forms.Form = DrandValueForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise _form_errors(form)
            services.enter_drand_round(_actor(request), source, **form.cleaned_data)
            messages.success(
                request, _t("%(name)s：签名核验通过，数值已接受") % {"name": source.name}
            )
        else:
            form = ValueForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise _form_errors(form)
            typing = services.enter_value(_actor(request), source, form.cleaned_data["value"])
            if typing.accepted:
                messages.success(
                    request, _t("%(name)s：两人录入一致，数值已接受") % {"name": source.name}
                )
            else:
                messages.info(
                    request,
                    _t("%(name)s：已记录您的录入，请另一位工作人员独立录入")
                    % {"name": source.name},
                )
    except ValidationError as error:
        _report(request, error)
    return _back(ceremony, f"source-{source.pk}")


@require_POST
@bureau_only
def ceremony_draw(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _managed(request, pk)
    try:
        draw = services.draw_ceremony(_actor(request), ceremony)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _t("摇号完成，记录 %(ref)s 已公布") % {"ref": draw.reference})
    return _back(ceremony, "result")


@require_POST
@bureau_only
def ceremony_redraw(request: HttpRequest, pk: int) -> HttpResponse:
    ceremony = _managed(request, pk)
    form = RedrawForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_errors(form)
        redraw = services.start_redraw(_actor(request), ceremony, **form.cleaned_data)
    except ValidationError as error:
        _report(request, error)
        return _back(ceremony, "redraw")
    messages.success(request, _t("已发起重新摇号；原摇号记录继续公开"))
    return _back(redraw)


@require_POST
@bureau_only
def ceremony_preview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ceremony = _visible(user, pk)
    if not selectors.may_preview_admission(user, ceremony):
        raise PermissionDenied
    try:
        run = services.preview_admission_from_ceremony(_actor(request), ceremony)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _t("已用本次摇号的随机数来源生成录取预览（批次 #%(run)s，%(draws)s 场学校摇号）")
            % {"run": run.pk, "draws": run.draws.count()},
        )
    return _back(ceremony, "admission")


urlpatterns = [
    path("", ceremony_list, name="ceremonies"),
    path("new/", ceremony_create, name="ceremony_create"),
    path("<int:pk>/", ceremony_detail, name="ceremony"),
    path("<int:pk>/freeze/", ceremony_freeze, name="ceremony_freeze"),
    path("<int:pk>/announce/<str:kind>/", ceremony_announce, name="ceremony_announce"),
    path("<int:pk>/close/", ceremony_close, name="ceremony_close"),
    path("<int:pk>/sources/<int:source_pk>/", ceremony_enter, name="ceremony_enter"),
    path("<int:pk>/draw/", ceremony_draw, name="ceremony_draw"),
    path("<int:pk>/redraw/", ceremony_redraw, name="ceremony_redraw"),
    path("<int:pk>/admission/", ceremony_preview, name="ceremony_preview"),
]
