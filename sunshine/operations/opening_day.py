"""An opening-day city for load tests: the demo city, registration open now, parents
logged in through a client app, and nothing applied yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from sunshine.accounts.sms_login import parent_for_phone
from sunshine.api import tokens
from sunshine.audit.services import Actor, record
from sunshine.demo.city import generate_city
from sunshine.demo.loader import load_city
from sunshine.demo.model import Child, City
from sunshine.portal import services as portal
from sunshine.portal.drafts import data_from_declaration
from sunshine.schools.models import Round

BUREAU = Actor(name="opening-day-rehearsal", role="city")


@dataclass(frozen=True)
class Household:
    """What the load generator needs to act as one parent: no personal data beyond the draft."""

    client_key: str
    access_token: str
    child_id: int
    round_id: int
    draft: dict[str, object]


def open_registration_now(now: dt.datetime) -> None:
    """Move every round's timetable so registration opened an hour ago and runs four days."""
    opens = now - dt.timedelta(hours=1)
    with transaction.atomic():
        for round_ in Round.objects.select_for_update():
            Round.objects.filter(pk=round_.pk).update(
                registration_opens=opens,
                registration_closes=opens + dt.timedelta(days=4),
                verification_ends=opens + dt.timedelta(days=8),
                lottery_on=opens + dt.timedelta(days=10),
                results_on=opens + dt.timedelta(days=10, hours=8),
            )
            record(BUREAU, "round.rescheduled_for_rehearsal", round_)


def _first_children(city: City) -> Iterator[tuple[Child, int]]:
    """One child per family (the first), with the family's index."""
    for index, family in enumerate(city.families):
        if family.children:
            yield family.children[0], index


def seed(children: int, seed_value: int = 2024) -> list[Household]:
    """Load the city and sign one parent per family in; return what each parent sends."""
    city = generate_city(children=children, seed=seed_value)
    loaded = load_city(city, BUREAU)
    now = timezone.now()
    open_registration_now(now)
    _, client_key = tokens.create_client_app(BUREAU, "opening-day load test")
    client = tokens.client_for_key(client_key)
    assert client is not None
    households = []
    for child, index in _first_children(city):
        declared = child.declaration
        guardian = declared.guardians[0]
        with transaction.atomic():
            user = parent_for_phone(
                guardian.phone, now, source=f"rehearsal-{index}", via="sms"
            ).user
        registered = portal.add_child(
            Actor(name=f"guardian:{child.family_id}", role="parent"),
            user,
            name=child.name,
            id_number=child.id_number,
            parent=portal.ParentInput(guardian.name, guardian.id_number, guardian.relation),
        )
        _, secret = tokens.issue_access_token(client, user)
        draft = data_from_declaration(asdict(declared), [])
        households.append(
            Household(
                client_key=client_key,
                access_token=secret,
                child_id=registered.pk,
                round_id=loaded.rounds[str(child.level)].pk,
                draft=draft,
            )
        )
    return households
