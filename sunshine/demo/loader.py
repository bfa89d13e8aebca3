"""Writes a synthetic city into the database through the set-up services."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sunshine.audit.services import Actor
from sunshine.demo.model import City
from sunshine.engine.policy.loader import default_policy_text
from sunshine.schools import services as school_services
from sunshine.schools.models import Round, RoundKind, Term
from sunshine.verification.models import RecordKind
from sunshine.verification.services import import_extract

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class LoadedCity:
    term: Term
    rounds: dict[str, Round]  # level -> main round


def timetable(year: int) -> tuple[dt.datetime, ...]:
    """Changde's 2024 rhythm: registration in early July, the public draw on 11 July."""
    return (
        dt.datetime(year, 7, 1, 9, 0, tzinfo=CHINA),
        dt.datetime(year, 7, 5, 17, 0, tzinfo=CHINA),
        dt.datetime(year, 7, 9, 17, 0, tzinfo=CHINA),
        dt.datetime(year, 7, 11, 9, 0, tzinfo=CHINA),
        dt.datetime(year, 7, 11, 18, 0, tzinfo=CHINA),
    )


def term_policy(year: int, hukou_cutoff: dt.date) -> str:
    """The default template with this term's name and hukou cut-off filled in, as a bureau would."""
    text = re.sub(r'(?m)^term = ".*"$', f'term = "{year}"', default_policy_text())
    return re.sub(r"(?m)^move_in_cutoff = .*$", f"move_in_cutoff = {hukou_cutoff:%Y-%m-%d}", text)


def load_city(city: City, actor: Actor) -> LoadedCity:
    school_services.import_geography(
        actor, [(d.code, d.name) for d in city.districts], city.compounds
    )
    school_services.import_schools(
        actor,
        [
            school_services.SchoolInput(
                code=s.school_code,
                name=s.name,
                district_code=s.district_code,
                kind=str(s.kind),
                level=str(s.level),
                address=s.address,
                latitude=s.latitude,
                longitude=s.longitude,
                class_size=s.class_size,
            )
            for s in city.schools
        ],
        {zone.school_code: zone.units for zone in city.zones},
    )
    term = school_services.create_term(
        actor,
        year=city.entry_year,
        name=f"{city.entry_year}年秋季义务教育招生",
        reference_date=city.records_as_of,
        policy_toml=term_policy(city.entry_year, city.hukou_cutoff),
    )
    rounds = {
        level: school_services.create_round(
            actor,
            term=term,
            kind=RoundKind.MAIN,
            level=level,
            timetable=timetable(city.entry_year),
            seats={s.school_code: s.seats for s in city.schools if s.level == level},
        )
        for level in ("primary", "junior")
    }
    records = city.records
    for kind, rows, source in (
        (RecordKind.HUKOU, records.hukou, "公安户籍库"),
        (RecordKind.BIRTH, records.births, "出生医学证明库"),
        (RecordKind.PROPERTY, records.properties, "不动产登记库"),
        (RecordKind.HOUSING_CONTRACT, records.housing_contracts, "商品房网签备案库"),
        (RecordKind.RENTAL, records.rentals, "房屋租赁备案库"),
        (RecordKind.SOCIAL_INSURANCE, records.social_insurance, "社会保险参保库"),
        (RecordKind.RESIDENCE_PERMIT, records.residence_permits, "居住证库"),
    ):
        import_extract(actor, kind, f"{source} {city.records_as_of:%Y-%m-%d}", rows)
    return LoadedCity(term=term, rounds=rounds)
