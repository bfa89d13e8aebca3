"""Drafts: saved as the parent types, on any device, and submitted once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from sunshine.api import schemas
from sunshine.api.auth import ParentToken, actor_of, parent_of
from sunshine.api.views import application_out, draft_out
from sunshine.applications.models import Application
from sunshine.applications.services import EDITABLE
from sunshine.portal import corrections, selectors, services
from sunshine.portal.models import Draft
from sunshine.schools.models import Round

router = Router(tags=["drafts"], auth=ParentToken())


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    return selectors.draft_of(parent_of(request), draft_id)


@router.post("", response={201: schemas.DraftOut, 404: schemas.Errors, 422: schemas.Errors})
def open_draft(request: HttpRequest, body: schemas.DraftOpenIn) -> Any:
    """The draft of a child in a round: started (or resumed) while the round is open."""
    user = parent_of(request)
    child = selectors.child_of(user, body.child_id)
    round_ = get_object_or_404(Round, pk=body.round_id)
    option = next((o for o in selectors.rounds_for(user, child) if o.round.pk == round_.pk), None)
    if option is None:
        raise Round.DoesNotExist
    if option.state != "open" and option.application is None:
        raise ValidationError({"round_id": _("该轮报名现在不在报名时间内")})
    return Status(201, draft_out(services.open_draft(actor_of(request), user, child, round_)))


@router.get("/{draft_id}", response={200: schemas.DraftOut, 404: schemas.Errors})
def get_draft(request: HttpRequest, draft_id: schemas.Id) -> Any:
    return draft_out(_draft(request, draft_id))


@router.patch("/{draft_id}", response={200: schemas.DraftOut, 404: schemas.Errors})
def save_draft(request: HttpRequest, body: schemas.DraftData, draft_id: schemas.Id) -> Any:
    """Autosave: the fields sent are kept as typed; nothing is refused here."""
    draft = _draft(request, draft_id)
    return draft_out(services.save_draft(draft, body.dict(exclude_unset=True)))


@router.delete("/{draft_id}", response={204: None, 404: schemas.Errors})
def discard_draft(request: HttpRequest, draft_id: schemas.Id) -> Any:
    services.discard_draft(actor_of(request), _draft(request, draft_id))
    return Status(204, None)


@router.post(
    "/{draft_id}/submit",
    response={
        201: schemas.ApplicationOut,
        404: schemas.Errors,
        409: schemas.Errors,
        422: schemas.Errors,
    },
)
def submit(request: HttpRequest, body: schemas.SubmitIn, draft_id: schemas.Id) -> Any:
    """Submit (or, once checks have run, correct) the application from the draft.

    A retry with the same idempotency key returns the same application; a key
    already used for different content is refused with 409.
    """
    draft = _draft(request, draft_id)
    actor = actor_of(request)
    application = Application.objects.filter(child=draft.child, round=draft.round).first()
    if application is not None and application.status not in EDITABLE:
        done = corrections.submit(
            actor, draft, application, key=body.idempotency_key, consent=body.consent
        )
    else:
        done = services.submit_draft(actor, draft, key=body.idempotency_key, consent=body.consent)
    # Read back with what the answer shows in one query, not one per related row.
    return Status(201, application_out(selectors.application_of(parent_of(request), done.pk)))
