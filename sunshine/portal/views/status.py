"""Where an application stands, and the actions open to the family at that point."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application
from sunshine.portal import corrections, notice, selectors, services
from sunshine.portal.views.common import actor_of, errors_of, parent, parent_required
from sunshine.verification.selectors import family_reviews


def _application(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.application_of(parent(request), pk)
    except Application.DoesNotExist:
        raise Http404 from None


@parent_required
@never_cache
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return _render(request, application)


def _render(
    request: HttpRequest,
    application: Application,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.status_of(application)
    context = {
        "view": view,
        "a": application,
        "reviews": family_reviews(parent(request), application),
        "correction_open": corrections.available(application),
        "review_open": corrections.review_possible(application),
        "errors": errors or {},
    }
    return render(request, "portal/application.html", context, status=status)


@parent_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if request.POST.get("confirm") != "1":
        return _render(request, application, {"withdraw": [_("请勾选确认后再撤回")]}, 400)
    try:
        services.withdraw(actor_of(request), application)
    except ValidationError as error:
        return _render(request, application, errors_of(error), 400)
    messages.success(request, _("申请已撤回。"))
    return redirect("portal:application", pk=application.pk)


@parent_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        services.confirm_enrollment(actor_of(request), application)
    except ValidationError as error:
        return _render(request, application, errors_of(error), 400)
    messages.success(request, _("已确认就读，请按学校通知的时间到校报到。"))
    return redirect("portal:application", pk=application.pk)


@parent_required
@require_POST
def request_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        corrections.request_review(
            actor_of(request),
            application,
            note=request.POST.get("note", ""),
            document=request.FILES.get("document"),
        )
    except ValidationError as error:
        return _render(request, application, errors_of(error), 400)
    messages.success(request, _("人工审核申请已提交，审核结果会短信通知您。"))
    return redirect("portal:application", pk=application.pk)


@parent_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    view = selectors.status_of(application)
    placement = placement_of(application)
    if not view.notice_available or placement is None:
        raise Http404
    check_url = request.build_absolute_uri(
        reverse("portal:notice_check", args=[notice.notice_token(placement)])
    )
    response = HttpResponse(notice.notice_pdf(placement, check_url), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="admission-{application.reference}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def notice_check(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone holding a notice checks it by its QR code, with nothing but masks shown."""
    return render(request, "portal/notice_check.html", {"check": notice.check_notice(token)})
