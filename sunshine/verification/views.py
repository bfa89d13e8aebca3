"""Console pages for verification: worklists, cases, documents, policy what-if; the family's page.

Views stay thin: who may see what is decided by the selectors, every write by
the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sunshine.accounts.models import Role, User
from sunshine.audit.services import Actor
from sunshine.engine.checks import FACT_TYPES
from sunshine.privacy.masking import mask_name
from sunshine.schools.models import Term
from sunshine.verification import reviews, selectors, services
from sunshine.verification.models import CaseKind, CaseOutcome, ReviewDocument

POLICY_MAX_BYTES = 256 * 1024
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not selectors.is_staff(user):
        raise PermissionDenied
    return user


def _actor(request: HttpRequest) -> Actor:
    return Actor.of_user(request.user, source="console")


def _report(request: HttpRequest, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                messages.error(request, f"{field}：{problem}" if field != "__all__" else problem)
    else:
        for problem in error.messages:
            messages.error(request, problem)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    kind = request.GET.get("kind") or None
    if kind not in (None, *CaseKind.values):
        kind = None
    cases = selectors.worklist(
        user,
        kind=kind,
        school_code=request.GET.get("school") or None,
        mine=request.GET.get("mine") == "1",
    )[:300]
    return render(
        request,
        "verification/worklist.html",
        {
            "rows": [(case, mask_name(case.application.child.name)) for case in cases],
            "by_school": selectors.worklist_by_school(user),
            "kind": kind or "",
            "kinds": CaseKind.choices,
            "mine": request.GET.get("mine") == "1",
            "progress": selectors.verification_progress(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    detail = selectors.case_detail(user, pk)
    if detail is None:
        raise Http404
    if request.method == "POST":
        try:
            done = _act_on_case(request, detail)
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, done)
            return redirect("verification:case", pk=pk)
    outcomes = (
        [CaseOutcome.LIVES_IN_ZONE, CaseOutcome.NOT_IN_ZONE]
        if detail.case.kind == CaseKind.OFFLINE_CHECK
        else [CaseOutcome.APPROVED, CaseOutcome.REJECTED]
    )
    return render(
        request,
        "verification/case.html",
        {
            "detail": detail,
            "case": detail.case,
            "outcomes": [(o.value, o.label) for o in outcomes],
            "today": timezone.localdate().isoformat(),
        },
    )


def _act_on_case(request: HttpRequest, detail: selectors.CaseDetail) -> str:
    action = request.POST.get("action")
    actor = _actor(request)
    if action == "assign":
        chosen = {str(u.pk): u for u in detail.assignable}.get(request.POST.get("assignee", ""))
        if chosen is None:
            raise ValidationError({"assignee": _("请选择工作人员")})
        reviews.assign_case(actor, detail.case, chosen)
        return _("已分派")
    if action == "visit":
        try:
            visited_on = dt.date.fromisoformat(request.POST.get("visited_on", ""))
        except ValueError:
            raise ValidationError({"visited_on": _("请填写核查日期")}) from None
        reviews.record_home_visit(
            actor,
            detail.case,
            visited_on=visited_on,
            lives_in_zone=request.POST.get("lives_in_zone") == "yes",
            findings=request.POST.get("findings", ""),
        )
        return _("已记录入户核查")
    if action == "decide":
        facts = {
            name: request.POST[f"fact:{name}"]
            for name in FACT_TYPES
            if request.POST.get(f"fact:{name}", "").strip()
        }
        reviews.decide_case(
            actor,
            detail.case,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
            facts=facts,
        )
        return _("已作出决定，家长可在平台查看结果")
    raise ValidationError(_("未知操作"))


@login_required
def document(request: HttpRequest, token: str) -> FileResponse:
    found: ReviewDocument | None = selectors.document_for(_user(request), token)
    if found is None:
        raise Http404
    path = reviews.document_path(found.stored_name)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=found.content_type,
        as_attachment=True,
        filename=f"review-{found.case_id}.{EXTENSIONS.get(found.content_type, 'bin')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    if user.role not in {Role.CITY, Role.DISTRICT}:
        raise PermissionDenied
    term = get_object_or_404(Term, pk=pk)
    context: dict[str, Any] = {"term": term, "can_adopt": user.role == Role.CITY}
    if request.method == "POST":
        text = _policy_text(request, context)
        if text is not None and request.POST.get("action") == "adopt":
            if user.role != Role.CITY:
                raise PermissionDenied
            try:
                services.adopt_policy(_actor(request), term, text)
            except ValidationError as error:
                context["problems"] = error.messages
            else:
                messages.success(request, _("新的类别政策已启用，所有申请的类别已按新政策重新认定"))
                return redirect("verification:policy", pk=pk)
        elif text is not None:
            try:
                proposed = services.validated_policy(text)
            except ValidationError as error:
                context["problems"] = error.messages
            else:
                context["report"] = selectors.what_if_report(term, proposed)
        context["policy_text"] = text or ""
    else:
        context["policy_text"] = term.policy_toml
    return render(request, "verification/policy.html", context)


def _policy_text(request: HttpRequest, context: dict[str, Any]) -> str | None:
    upload = request.FILES.get("policy_file")
    if upload is not None:
        if upload.size is not None and upload.size > POLICY_MAX_BYTES:
            context["problems"] = [_("政策文件不能超过256KB")]
            return None
        try:
            return bytes(upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            context["problems"] = [_("政策文件应为UTF-8编码的TOML文本")]
            return None
    return request.POST.get("policy_text", "").replace("\r\n", "\n")


# --- the family's page -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def family(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = selectors.family_application(user, reference)
    if application is None:
        raise Http404
    if request.method == "POST":
        try:
            done = _act_as_family(request, application)
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, done)
            return redirect("verification:family", reference=reference)
    guardians = application.declaration.get("guardians") or []
    correctable = [(name, label) for name, label in services.FIELD_LABELS.items()]
    for index, guardian in enumerate(guardians):
        who = guardian.get("relation") or _("监护人")
        correctable += [
            (f"guardians[{index}].id_number", f"{who}：" + _("身份证号码")),
            (f"guardians[{index}].name", f"{who}：" + _("姓名")),
            (f"guardians[{index}].relation", f"{who}：" + _("与孩子关系")),
        ]
    return render(
        request,
        "verification/family.html",
        {
            "application": application,
            "child_masked": mask_name(application.child.name),
            "checks": list(application.checks.order_by("check_name")),
            "reviews": selectors.family_reviews(user, application),
            "correctable": correctable,
            "max_mb": settings.SUNSHINE_REVIEW_UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


def _act_as_family(request: HttpRequest, application: Any) -> str:
    actor = _actor(request)
    action = request.POST.get("action")
    if action == "correct":
        field = request.POST.get("field", "")
        services.correct_and_recheck(actor, application, {field: request.POST.get("value", "")})
        return _("已更正并重新核验")
    if action == "review":
        reviews.request_review(
            actor,
            application,
            note=request.POST.get("note", ""),
            document=request.FILES.get("document"),
        )
        return _("已提交人工审核申请")
    raise ValidationError(_("未知操作"))
