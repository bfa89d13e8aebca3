"""A tiny city for the portal and API tests, made by hand.

One compound, 金色家园 (朗州路12号, buildings 1-10), is the catchment zone of the
public primary school P1. V1 is a private primary school with one seat. A
family's department records (hukou, birth, property) are imported so that the
checks verify what the family declares truthfully; the expected outcomes
follow from the records, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sunshine import testing
from sunshine.accounts import sms_login
from sunshine.accounts.models import User
from sunshine.audit.services import Actor
from sunshine.engine.idnumber import compose
from sunshine.engine.lottery.sources import onsite_source
from sunshine.engine.records import BirthRecord, HukouRecord, PropertyOwner, PropertyRecord
from sunshine.schools.models import Compound, District, Round, School, ZoneUnit
from sunshine.verification.models import RecordKind
from sunshine.verification.services import import_extract

BUREAU = Actor(name="test-bureau", role="city")
HOME = "湖南省常德市武陵区丹阳街道丹阳社区朗州路12号金色家园3栋2单元501室"
SOURCES = [onsite_source("notary", "4711", "4711")]
_serial = itertools.count(1)


@dataclass
class World:
    round: Round
    zone_school: School
    private_school: School


def world() -> World:
    """The city with a primary round open now, closing in four days."""
    district = District.objects.get_or_create(code="430702", defaults={"name": "武陵区"})[0]
    compound = Compound.objects.create(
        code="C1",
        name="金色家园",
        aliases=["金色花园"],
        district=district,
        street="丹阳街道",
        community="丹阳社区",
        road="朗州路",
        door_number=12,
        buildings=10,
        latitude=29.03,
        longitude=111.69,
    )
    round_ = testing.round_(open_now=True)
    zone_school = testing.school("P1", round_, seats=50)
    private_school = testing.school("V1", round_, seats=1, kind="private")
    ZoneUnit.objects.create(school=zone_school, compound=compound, building_from=1, building_to=10)
    return World(round_, zone_school, private_school)


@dataclass(frozen=True)
class Family:
    """What a family knows about itself, and what the departments hold about it."""

    phone: str
    parent_name: str
    parent_id: str
    child_name: str
    child_id: str
    certificate: str


def family(*, born: dt.date = dt.date(2018, 3, 1), import_records: bool = True) -> Family:
    serial = next(_serial)
    made = Family(
        phone=f"137{serial:08d}",
        parent_name=f"王{'明华国强建军'[serial % 6]}",
        parent_id=compose("430702", dt.date(1988, 1, 1), 2 * serial + 1),
        child_name=f"王{'小一二三四五'[serial % 6]}宝",
        child_id=compose("430702", born, 2 * serial + 1),
        certificate=f"湘(2020)常德市不动产权第{serial:07d}号",
    )
    if import_records:
        import_department_records(made)
    return made


def import_department_records(family: Family) -> None:
    """The father heads the household at HOME since 2019 and owns it outright."""
    moved_in = dt.date(2019, 5, 1)
    for kind, rows in (
        (
            RecordKind.HUKOU,
            [
                HukouRecord(
                    family.parent_id, family.parent_name, HOME, moved_in, family.parent_id, "户主"
                ),
                HukouRecord(
                    family.child_id, family.child_name, HOME, moved_in, family.parent_id, "子"
                ),
            ],
        ),
        (RecordKind.BIRTH, [BirthRecord(family.child_id, family.parent_id, None)]),
        (
            RecordKind.PROPERTY,
            [
                PropertyRecord(
                    family.certificate,
                    (PropertyOwner(family.parent_id, 100),),
                    HOME,
                    dt.date(2018, 6, 1),
                )
            ],
        ),
    ):
        import_extract(BUREAU, kind, f"test {kind} {family.phone}", rows)


class CapturingBackend:
    """An SMS backend that keeps what it sent, for reading codes in tests."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        self.sent.append((phone, template_id, params))
        return f"captured-{len(self.sent)}"

    def last_code(self) -> str:
        return next(p["code"] for _, t, p in reversed(self.sent) if t == "LOGIN_CODE")


def parent_user(phone: str) -> User:
    """Log a parent in through the SMS code service; returns the account."""
    backend = CapturingBackend()
    sms_login.request_code(phone, "192.0.2.1", backend=backend)
    return sms_login.verify_code(phone, backend.last_code(), "192.0.2.1").user


def last_code_in_file() -> str:
    """The code in the file backend's last LOGIN_CODE line."""
    lines = Path(settings.SUNSHINE_SMS_FILE).read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines]
    return next(m["params"]["code"] for m in reversed(messages) if m["template_id"] == "LOGIN_CODE")


def close_registration(round_: Round) -> None:
    """Move the round's timetable so registration has just closed and verification runs."""
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(
        registration_opens=now - dt.timedelta(days=5),
        registration_closes=now - dt.timedelta(minutes=1),
        verification_ends=now + dt.timedelta(days=3),
        lottery_on=now + dt.timedelta(days=4),
        results_on=now + dt.timedelta(days=5),
    )
    round_.refresh_from_db()
