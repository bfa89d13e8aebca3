"""The parent's children, the rounds open to them, and what a round offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from sunshine.api import schemas
from sunshine.api.auth import ParentToken, actor_of, parent_of
from sunshine.api.views import child_out
from sunshine.applications.services import GuardianInput
from sunshine.portal import selectors, services
from sunshine.schools.models import Round
from sunshine.schools.selectors import zone_for_address

router = Router(tags=["children"], auth=ParentToken())
rounds_router = Router(tags=["rounds"], auth=ParentToken())


@router.get("", response=list[schemas.ChildOut])
def list_children(request: HttpRequest) -> Any:
    user = parent_of(request)
    return [child_out(user, child) for child in selectors.my_children(user)]


@router.post("", response={201: schemas.ChildOut, 404: schemas.Errors, 422: schemas.Errors})
def add_child(request: HttpRequest, body: schemas.ChildIn) -> Any:
    """Register a child by ID number (birth date and sex follow from it), parent linked."""
    user = parent_of(request)
    other = body.other_guardian
    child = services.add_child(
        actor_of(request),
        user,
        name=body.name,
        id_number=body.id_number,
        parent=services.ParentInput(body.parent_name, body.parent_id_number, body.relation),
        other_guardian=GuardianInput(other.name, other.id_number, other.phone, other.relation)
        if other
        else None,
        twin_of=selectors.child_of(user, body.twin_of) if body.twin_of else None,
    )
    return Status(201, child_out(user, child))


@router.get("/{child_id}", response={200: schemas.ChildOut, 404: schemas.Errors})
def get_child(request: HttpRequest, child_id: schemas.Id) -> Any:
    user = parent_of(request)
    return child_out(user, selectors.child_of(user, child_id))


@rounds_router.get(
    "/{round_id}/private-schools",
    response={200: list[schemas.SchoolOptionOut], 404: schemas.Errors},
)
def private_schools(request: HttpRequest, round_id: schemas.Id) -> Any:
    """Private schools of the round: seats, applicants so far, estimated chance."""
    round_ = get_object_or_404(Round, pk=round_id)
    return [
        {
            "code": option.demand.code,
            "name": option.demand.name,
            "seats": option.demand.seats,
            "applicants": option.demand.applicants,
            "applicants_per_seat": option.demand.per_seat,
            "estimated_chance": option.chance,
        }
        for option in selectors.choice_options(round_)
    ]


@rounds_router.post("/{round_id}/zone-school", response={200: schemas.ZoneOut, 404: schemas.Errors})
def zone_school(request: HttpRequest, body: schemas.AddressIn, round_id: schemas.Id) -> Any:
    """The zone school of an address at the round's level (POST: addresses stay out of URLs)."""
    round_ = get_object_or_404(Round, pk=round_id)
    placed = zone_for_address(body.address, round_.level)
    return {
        "school_code": placed.school.code if placed else None,
        "school_name": placed.school.name if placed else None,
    }
