"""A tiny city made by hand for the verification tests, with department records designed
so each family's expected outcome follows from the rules, not from the code under test.

Two compounds, each the catchment zone of one public primary school:
金色家园 (朗州路12号) → school P1, 丹阳小区 (人民路8号) → school P2.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from sunshine import testing
from sunshine.applications.models import Application, Child, Guardian, Guardianship, Status
from sunshine.applications.services import id_index, phone_index
from sunshine.audit.services import Actor
from sunshine.engine.idnumber import compose
from sunshine.engine.policy.loader import default_policy_text
from sunshine.engine.records import (
    BirthRecord,
    Declaration,
    GuardianDeclaration,
    HukouRecord,
    PropertyOwner,
    PropertyRecord,
)
from sunshine.schools.models import Compound, District, Round, School, ZoneUnit
from sunshine.schools.selectors import zone_for_address
from sunshine.verification.models import RecordKind
from sunshine.verification.services import import_extract
from sunshine.verification.signing import SigningKey, request_headers

BUREAU = Actor(name="test-bureau", role="city")
MOVE_IN_CUTOFF = dt.date(2023, 9, 1)
_serial = itertools.count(1)


def policy_text() -> str:
    """The default policy with a known hukou cut-off."""
    return re.sub(
        r"(?m)^move_in_cutoff = .*$", f"move_in_cutoff = {MOVE_IN_CUTOFF}", default_policy_text()
    )


@dataclass
class City:
    round: Round
    p1: School
    p2: School


def city() -> City:
    district = District.objects.get_or_create(code="430702", defaults={"name": "武陵区"})[0]
    compounds = {}
    for code, name, road, door in (
        ("C1", "金色家园", "朗州路", 12),
        ("C2", "丹阳小区", "人民路", 8),
    ):
        compounds[code] = Compound.objects.create(
            code=code,
            name=name,
            aliases=[],
            district=district,
            street="丹阳街道",
            community="丹阳社区",
            road=road,
            door_number=door,
            buildings=10,
            latitude=29.03,
            longitude=111.69,
        )
    round_ = testing.round_(open_now=True)
    round_.term.policy_toml = policy_text()
    round_.term.reference_date = dt.date(2024, 6, 30)
    round_.term.save()
    p1 = testing.school("P1", round_, seats=50)
    p2 = testing.school("P2", round_, seats=50)
    ZoneUnit.objects.create(school=p1, compound=compounds["C1"], building_from=1, building_to=10)
    ZoneUnit.objects.create(school=p2, compound=compounds["C2"], building_from=1, building_to=10)
    return City(round_, p1, p2)


def flat(compound: str, building: int, unit: int, room: int) -> str:
    head, name = {
        "C1": ("湖南省常德市武陵区丹阳街道丹阳社区朗州路12号", "金色家园"),
        "C2": ("湖南省常德市武陵区丹阳街道丹阳社区人民路8号", "丹阳小区"),
    }[compound]
    return f"{head}{name}{building}栋{unit}单元{room}室"


def certificate(serial: int) -> str:
    return f"湘(2020)常德市不动产权第{serial:07d}号"


@dataclass(eq=False)
class Family:
    """One family: what it declares and what the departments hold about it."""

    application: Application
    declaration: Declaration
    hukou: list[HukouRecord] = field(default_factory=list)
    births: list[BirthRecord] = field(default_factory=list)
    properties: list[PropertyRecord] = field(default_factory=list)
    guardian: Guardian | None = None


def family(
    city: City,
    *,
    home: str,
    hukou_at: str | None = None,
    moved_in: dt.date = dt.date(2019, 5, 1),
    owns_home: bool = True,
    declared_certificate: str | None = None,
    guardian_relation: str = "父亲",
    status: str = Status.SUBMITTED,
) -> Family:
    """A child with a father (household head) who, when ``owns_home``, owns the home.

    ``declared_certificate`` overrides the certificate number the family types.
    """
    serial = next(_serial)
    child_id = compose("430702", dt.date(2018, 3, 1), 2 * serial + 1)
    father_id = compose("430702", dt.date(1988, 1, 1), 2 * serial + 1)
    child_name, father_name = f"李{_name(serial)}", f"李{_name(serial + 500)}"
    hukou_address = hukou_at or home
    certificate_no = certificate(serial) if owns_home else None
    hukou = [
        HukouRecord(father_id, father_name, hukou_address, moved_in, father_id, "户主"),
        HukouRecord(child_id, child_name, hukou_address, moved_in, father_id, "子"),
    ]
    births = [BirthRecord(child_id, father_id, None)]
    properties = (
        [
            PropertyRecord(
                certificate_no, (PropertyOwner(father_id, 100),), home, dt.date(2018, 6, 1)
            )
        ]
        if certificate_no
        else []
    )
    declaration = Declaration(
        child_name=child_name,
        child_id_number=child_id,
        guardians=(
            GuardianDeclaration(father_name, father_id, f"139{serial:08d}", guardian_relation),
        ),
        residence_address=home,
        hukou_address=hukou_address,
        property_certificate_no=declared_certificate or certificate_no,
        property_address=home if certificate_no else None,
    )
    child, guardian = _people(child_id, child_name, father_id, father_name, serial)
    placed = zone_for_address(home, city.round.level)
    application = Application.objects.create(
        reference=f"V{serial:09d}",
        round=city.round,
        child=child,
        status=status,
        declaration_json=json.dumps(asdict(declaration), ensure_ascii=False),
        zone_school=placed.school if placed else None,
        submitted_at=city.round.registration_opens,
    )
    return Family(application, declaration, hukou, births, properties, guardian)


def _name(serial: int) -> str:
    return "明华国强建军志红丽芳伟敏静"[serial % 13] + "一二三四五六七八九十"[serial // 13 % 10]


def _people(
    child_id: str, child_name: str, father_id: str, father_name: str, serial: int
) -> tuple[Child, Guardian]:
    child = Child.objects.create(
        name=child_name,
        id_number=child_id,
        id_index=id_index(child_id),
        sex="M",
        birth_date=dt.date(2018, 3, 1),
    )
    phone = f"139{serial:08d}"
    guardian = Guardian.objects.create(
        name=father_name,
        id_number=father_id,
        id_index=id_index(father_id),
        phone=phone,
        phone_index=phone_index(phone),
    )
    Guardianship.objects.create(child=child, guardian=guardian, relation="父亲")
    return child, guardian


def import_records(*families: Family) -> None:
    for kind, rows in (
        (RecordKind.HUKOU, [r for f in families for r in f.hukou]),
        (RecordKind.BIRTH, [r for f in families for r in f.births]),
        (RecordKind.PROPERTY, [r for f in families for r in f.properties]),
    ):
        if rows:
            import_extract(BUREAU, kind, f"test {kind}", rows)


def records_by_kind(*families: Family) -> dict[str, list[object]]:
    return {
        "hukou": [r for f in families for r in f.hukou],
        "birth": [r for f in families for r in f.births],
        "property": [r for f in families for r in f.properties],
    }


def control(service: Any, key: SigningKey, **behaviour: object) -> None:
    """Tell the stand-in department service how to behave (a signed request)."""
    body = json.dumps(behaviour).encode()
    headers = request_headers(
        key, "POST", "/_control", body, now=time.time(), nonce=secrets.token_hex(16)
    )
    assert httpx.post(service.url + "/_control", content=body, headers=headers).status_code == 200
