"""Applying in short steps, each saved on the server, with autosave while typing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sunshine.applications.models import Application, Child, Status
from sunshine.applications.services import EDITABLE
from sunshine.portal import corrections, drafts, privacy_notice, selectors, services
from sunshine.portal.models import Draft
from sunshine.portal.views.common import actor_of, errors_of, parent, parent_required
from sunshine.privacy.masking import mask_id_number, mask_phone
from sunshine.schools.models import Round
from sunshine.schools.selectors import zone_for_address


def _draft(request: HttpRequest, pk: int) -> Draft:
    try:
        return selectors.draft_of(parent(request), pk)
    except Draft.DoesNotExist:
        raise Http404 from None


def typed_values(post: QueryDict) -> dict[str, Any]:
    """The draft fields in a form post; the ranked choices come as choice_1, choice_2 …"""
    values: dict[str, Any] = {name: post[name] for name in drafts.TEXT_FIELDS if name in post}
    values.update({name: post[name] for name in drafts.FLAG_FIELDS if name in post})
    if "housing" in post:
        values["housing"] = post["housing"]
    ranked = [post.get(f"choice_{i}", "") for i in range(1, drafts.MAX_PRIVATE_CHOICES + 1)]
    if any(f"choice_{i}" in post for i in range(1, drafts.MAX_PRIVATE_CHOICES + 1)):
        values["choices"] = [code for code in ranked if code]
    return values


@parent_required
@require_POST
def start(request: HttpRequest, child_pk: int, round_pk: int) -> HttpResponse:
    user = parent(request)
    try:
        child = selectors.child_of(user, child_pk)
    except Child.DoesNotExist:
        raise Http404 from None
    round_ = get_object_or_404(Round.objects.select_related("term"), pk=round_pk)
    option = next((o for o in selectors.rounds_for(user, child) if o.round.pk == round_.pk), None)
    if option is None:
        raise Http404
    if option.state != "open" and option.application is None:
        messages.error(request, _("该轮报名现在不在报名时间内。"))
        return redirect("portal:child", pk=child.pk)
    draft = services.open_draft(actor_of(request), user, child, round_)
    return redirect("portal:step", pk=draft.pk, step=draft.step)


@parent_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the submitted application as a draft, at its review page."""
    user = parent(request)
    try:
        application = selectors.application_of(user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    draft = services.open_draft(actor_of(request), user, application.child, application.round)
    names = [s.name for s in drafts.steps_for(draft.round)]
    wanted = request.POST.get("step", "")
    return redirect("portal:step", pk=draft.pk, step=wanted if wanted in names else "review")


@parent_required
@sensitive_post_parameters()
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    draft = _draft(request, pk)
    steps = drafts.steps_for(draft.round)
    names = [s.name for s in steps]
    if step not in names:
        raise Http404
    if request.method == "POST" and request.headers.get("X-Autosave"):
        return _autosave(request, draft)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if step == "review":
            return _submit(request, draft)
        if action == "back":
            services.save_draft(draft, typed_values(request.POST), step=step)
            return redirect("portal:step", pk=draft.pk, step=names[max(0, names.index(step) - 1)])
        try:
            services.save_step(draft, step, typed_values(request.POST))
        except ValidationError as error:
            errors = errors_of(error)
        else:
            return redirect("portal:step", pk=draft.pk, step=names[names.index(step) + 1])
        draft.refresh_from_db()
    context = _context(draft, steps, step)
    context["errors"] = errors
    return render(request, f"portal/step_{step}.html", context, status=400 if errors else 200)


def _autosave(request: HttpRequest, draft: Draft) -> JsonResponse:
    saved = services.save_draft(draft, typed_values(request.POST))
    zone = _zone_name(saved)
    return JsonResponse({"saved_at": saved.updated_at.isoformat(), "zone_school": zone}, status=200)


def _zone_name(draft: Draft) -> str | None:
    address = str(draft.data.get("residence_address") or "").strip()
    if len(address) < 6:
        return None
    placed = zone_for_address(address, draft.round.level)
    return placed.school.name if placed else None


def _context(draft: Draft, steps: list[drafts.Step], current: str) -> dict[str, Any]:
    data = {"hukou_same": True, "property_same": True, **draft.data}
    names = [s.name for s in steps]
    application = Application.objects.filter(child=draft.child, round=draft.round).first()
    context: dict[str, Any] = {
        "draft": draft,
        "data": data,
        "steps": steps,
        "current": current,
        "position": names.index(current) + 1,
        "child": draft.child,
        "round": draft.round,
        "application": application,
        "zone_school": _zone_name(draft),
        "housing": drafts.Housing,
    }
    if current == "choices":
        options = selectors.choice_options(draft.round)
        chosen = list(data.get("choices") or [])
        context["options"] = options
        context["ranks"] = [
            (i, chosen[i - 1] if i <= len(chosen) else "")
            for i in range(1, drafts.MAX_PRIVATE_CHOICES + 1)
        ]
    if current == "review":
        context.update(_review_context(draft, application))
    return context


def _review_context(draft: Draft, application: Application | None) -> dict[str, Any]:
    data = draft.data
    problems: dict[str, list[str]] = {}
    try:
        drafts.check_all(data, draft.round)
    except ValidationError as error:
        problems = errors_of(error)
    try:
        chosen = drafts.chosen_schools(data, draft.round)
    except ValidationError:
        chosen = []
    chances = (
        {o.demand.code: o.chance for o in selectors.choice_options(draft.round)} if chosen else {}
    )
    declaration = drafts.declaration_from(data, draft.child)
    paragraphs, consent = privacy_notice.shown()
    status = Status(application.status) if application else None
    correcting = status is not None and status not in EDITABLE
    return {
        "problems": problems,
        "chosen": [(school, chances.get(school.code)) for school in chosen],
        "declaration": declaration,
        "guardians": [
            (g.name, g.relation, mask_id_number(g.id_number), mask_phone(g.phone))
            for g in declaration.guardians
        ],
        "child_masked_id": mask_id_number(draft.child.id_number),
        "notice": paragraphs,
        "consent_text": consent,
        "open": selectors.round_is_open(draft.round),
        "correcting": correcting,
        "correction_available": correcting and corrections.available(application),
    }


def _submit(request: HttpRequest, draft: Draft) -> HttpResponse:
    key = request.POST.get("idempotency_key", "")
    consent = request.POST.get("consent") == "1"
    actor = actor_of(request)
    application = Application.objects.filter(child=draft.child, round=draft.round).first()
    try:
        if application is not None and application.status not in EDITABLE:
            application = corrections.submit(actor, draft, application, key=key, consent=consent)
            messages.success(request, _("更正已提交，平台正在重新核验。"))
        else:
            application = services.submit_draft(actor, draft, key=key, consent=consent)
            messages.success(
                request,
                _("申请已提交，报名编号 %(reference)s。") % {"reference": application.reference},
            )
    except ValidationError as error:
        draft.refresh_from_db()
        context = _context(draft, drafts.steps_for(draft.round), "review")
        context["errors"] = errors_of(error)
        return render(request, "portal/step_review.html", context, status=400)
    return redirect("portal:application", pk=application.pk)


@parent_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    child_pk = draft.child_id
    services.discard_draft(actor_of(request), draft)
    messages.info(request, _("草稿已删除。"))
    return redirect("portal:child", pk=child_pk)
