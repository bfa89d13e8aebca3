"""Set-up of the year: geography, schools, zones, terms, rounds, seats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, record
from sunshine.engine.records import AddressUnit
from sunshine.engine.records import Compound as CompoundRecord
from sunshine.schools.models import (
    Compound,
    District,
    Round,
    RoundKind,
    School,
    SeatPlan,
    Term,
    ZoneUnit,
)


@dataclass(frozen=True)
class SchoolInput:
    code: str
    name: str
    district_code: str
    kind: str
    level: str
    address: str
    latitude: float
    longitude: float
    class_size: int


def import_geography(
    actor: Actor, districts: Sequence[tuple[str, str]], compounds: Sequence[CompoundRecord]
) -> None:
    """Create districts and residential compounds (existing codes are refused)."""
    with transaction.atomic():
        rows = District.objects.bulk_create(District(code=c, name=n) for c, n in districts)
        by_code = {d.code: d for d in District.objects.all()}
        unknown = sorted({c.district_code for c in compounds} - set(by_code))
        if unknown:
            raise ValidationError({"district_code": f"未知的行政区划代码：{', '.join(unknown)}"})
        Compound.objects.bulk_create(
            (
                Compound(
                    code=c.compound_id,
                    name=c.name,
                    aliases=list(c.aliases),
                    district=by_code[c.district_code],
                    street=c.street,
                    community=c.community,
                    road=c.road,
                    door_number=c.door_number,
                    buildings=c.buildings,
                    latitude=c.latitude,
                    longitude=c.longitude,
                )
                for c in compounds
            ),
            batch_size=1000,
        )
        record(
            actor,
            "setup.geography_imported",
            districts=len(rows),
            compounds=len(compounds),
            sha256=fingerprint([c.compound_id for c in compounds]),
        )


def import_schools(
    actor: Actor,
    schools: Sequence[SchoolInput],
    zones: Mapping[str, Sequence[AddressUnit]],
) -> None:
    """Create schools and their catchment zones; every unit must name a known building."""
    with transaction.atomic():
        districts = {d.code: d for d in District.objects.all()}
        School.objects.bulk_create(
            School(
                code=s.code,
                name=s.name,
                district=districts[s.district_code],
                kind=s.kind,
                level=s.level,
                address=s.address,
                latitude=s.latitude,
                longitude=s.longitude,
                class_size=s.class_size,
            )
            for s in schools
        )
        by_code = {s.code: s for s in School.objects.all()}
        compounds = {c.code: c for c in Compound.objects.all()}
        units = []
        for school_code, school_units in zones.items():
            for unit in school_units:
                compound = compounds.get(unit.compound_id)
                if compound is None or not 1 <= unit.building_from <= unit.building_to:
                    raise ValidationError({"zones": f"{school_code}: 片区单元无效 {unit}"})
                if unit.building_to > compound.buildings:
                    raise ValidationError(
                        {"zones": f"{school_code}: {compound.name}没有{unit.building_to}栋"}
                    )
                units.append(
                    ZoneUnit(
                        school=by_code[school_code],
                        compound=compound,
                        building_from=unit.building_from,
                        building_to=unit.building_to,
                    )
                )
        ZoneUnit.objects.bulk_create(units, batch_size=1000)
        record(actor, "setup.schools_imported", schools=len(schools), zone_units=len(units))


def create_term(
    actor: Actor, *, year: int, name: str, reference_date: dt.date, policy_toml: str
) -> Term:
    with transaction.atomic():
        term = Term.objects.create(
            year=year, name=name, reference_date=reference_date, policy_toml=policy_toml
        )
        record(actor, "setup.term_created", term, policy_sha256=fingerprint(policy_toml))
    return term


def create_round(
    actor: Actor,
    *,
    term: Term,
    kind: RoundKind,
    level: str,
    timetable: Sequence[dt.datetime],
    seats: Mapping[str, int],
    allows_private_choice: bool = True,
) -> Round:
    """A round with its timetable (opens, closes, verification ends, lottery, results)."""
    opens, closes, verification_ends, lottery_on, results_on = timetable
    with transaction.atomic():
        round_ = Round.objects.create(
            term=term,
            kind=kind,
            level=level,
            registration_opens=opens,
            registration_closes=closes,
            verification_ends=verification_ends,
            lottery_on=lottery_on,
            results_on=results_on,
            allows_private_choice=allows_private_choice,
        )
        schools = {s.code: s for s in School.objects.filter(code__in=seats)}
        missing = sorted(set(seats) - set(schools))
        if missing:
            raise ValidationError({"seats": f"未知的学校代码：{', '.join(missing)}"})
        wrong_level = sorted(code for code, s in schools.items() if s.level != level)
        if wrong_level:
            raise ValidationError({"seats": f"学段不符的学校：{', '.join(wrong_level)}"})
        SeatPlan.objects.bulk_create(
            SeatPlan(school=schools[code], round=round_, seats=count)
            for code, count in sorted(seats.items())
        )
        record(actor, "setup.round_created", round_, seats=sum(seats.values()))
    return round_
