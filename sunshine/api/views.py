"""From the portal's read models to API responses: what each shape holds, masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.accounts.models import User
from sunshine.applications.models import Application
from sunshine.portal import corrections, drafts, selectors
from sunshine.portal.models import Draft
from sunshine.privacy.masking import mask_phone
from sunshine.schools.models import Round
from sunshine.schools.selectors import zone_for_address


def round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "name": str(round_),
        "level": round_.level,
        "kind": round_.kind,
        "registration_opens": round_.registration_opens,
        "registration_closes": round_.registration_closes,
        "allows_private_choice": round_.allows_private_choice,
    }


def child_out(user: User, child: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    card = selectors.child_card(user, child, now)
    return {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date,
        "masked_id_number": card.masked_id,
        "twins": [twin.pk for twin in card.twins],
        "guardians": [
            {"name": name, "relation": relation, "masked_phone": phone}
            for name, relation, phone in card.guardians
        ],
        "rounds": [
            {
                "round": round_out(option.round),
                "state": option.state,
                "application_id": option.application.pk if option.application else None,
                "draft_id": option.draft.pk if option.draft else None,
            }
            for option in card.rounds
        ],
    }


def me_out(user: User) -> dict[str, Any]:
    return {
        "username": user.get_username(),
        "masked_phone": mask_phone(str(user.phone or "")),
        "children": selectors.my_children(user).count(),
    }


def draft_out(draft: Draft) -> dict[str, Any]:
    data = draft.data
    problems: dict[str, list[str]] = {}
    try:
        drafts.check_all(data, draft.round)
    except ValidationError as error:
        problems = error.message_dict
    address = str(data.get("residence_address") or "")
    placed = zone_for_address(address, draft.round.level) if len(address) >= 6 else None
    return {
        "id": draft.pk,
        "child_id": draft.child_id,
        "round_id": draft.round_id,
        "step": draft.step,
        "data": data,
        "idempotency_key": draft.idempotency_key,
        "updated_at": draft.updated_at,
        "submitted_at": draft.submitted_at,
        "zone_school": placed.school.name if placed else None,
        "problems": problems,
    }


def summary_out(application: Application, next_step: str = "") -> dict[str, Any]:
    return {
        "id": application.pk,
        "reference": application.reference,
        "child_id": application.child_id,
        "child_name": application.child.name,
        "round": round_out(application.round),
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "next_step": next_step,
    }


def application_out(application: Application) -> dict[str, Any]:
    view = selectors.status_of(application, timezone.now())
    placement = view.placement
    return {
        **summary_out(application, view.next_step),
        "checks": [
            {
                "check": line.check.check_name,
                "title": line.title,
                "status": line.check.status,
                "status_label": str(line.check.get_status_display()),
                "reason_code": line.check.reason_code,
                "message": line.message,
                "what_to_do": line.advice.what_to_do,
                "correct_at_step": line.advice.fix_step,
            }
            for line in view.checks
        ],
        "category": None
        if view.category is None
        else {
            "number": view.category.number,
            "name": view.category.name,
            "description": view.category.description,
            "reasons": view.category.reasons,
        },
        "placement": None
        if placement is None
        else {
            "school_code": placement.school.code if placement.school else None,
            "school_name": placement.school.name if placement.school else None,
            "stage": placement.stage,
            "lottery_number": placement.lottery_number,
            "explanation": [
                {
                    "school": row.school,
                    "stage": row.stage,
                    "admitted": row.admitted,
                    "outcome": row.outcome,
                    "yours": row.yours,
                    "cutoff": row.cutoff,
                    "draw_reference": row.draw,
                }
                for row in view.explanation
            ],
        },
        "actions": {
            "editable": view.editable,
            "withdrawable": view.withdrawable,
            "correctable": corrections.available(application),
            "review_possible": corrections.review_possible(application),
            "can_confirm_enrollment": view.can_confirm,
            "notice_available": view.notice_available,
        },
        "supplementary_round_id": view.supplementary.pk if view.supplementary else None,
    }
