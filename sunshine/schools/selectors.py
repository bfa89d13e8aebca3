"""Reads about schools, zones and rounds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from sunshine.accounts.models import Role
from sunshine.engine import address
from sunshine.engine.records import AddressUnit, Compound
from sunshine.schools.models import Compound as CompoundRow
from sunshine.schools.models import Round, School, SeatPlan, ZoneUnit

if TYPE_CHECKING:
    from sunshine.accounts.models import User


@dataclass(frozen=True)
class ZonePlacement:
    """Where an address lies: the zone school and the compound's coordinates."""

    school: School
    compound_code: str
    building: int | None  # None when a whole compound lies in one zone
    latitude: float
    longitude: float


def _as_record(row: CompoundRow) -> Compound:
    return Compound(
        compound_id=row.code,
        name=row.name,
        aliases=tuple(row.aliases),
        district_code=row.district.code,
        district=row.district.name,
        street=row.street,
        community=row.community,
        road=row.road,
        door_number=row.door_number,
        buildings=row.buildings,
        latitude=row.latitude,
        longitude=row.longitude,
    )


@dataclass(frozen=True)
class CityMap:
    gazetteer: address.Gazetteer
    compounds: dict[str, Compound]
    zones: dict[str, dict[str, tuple[AddressUnit, ...]]]  # level -> school code -> units
    schools: dict[str, School]  # school code -> school


def city_map() -> CityMap:
    """The gazetteer and the zones of every level, read afresh.

    Building it takes milliseconds; code that resolves many addresses at once
    builds it once and passes it on rather than caching it across requests.
    """
    compounds = {
        row.code: _as_record(row) for row in CompoundRow.objects.select_related("district")
    }
    zones: dict[str, dict[str, list[AddressUnit]]] = {}
    schools: dict[str, int] = {}
    for unit in ZoneUnit.objects.select_related("school", "compound").order_by("pk"):
        by_school = zones.setdefault(unit.school.level, {})
        by_school.setdefault(unit.school.code, []).append(
            AddressUnit(unit.compound.code, unit.building_from, unit.building_to)
        )
        schools[unit.school.code] = unit.school
    return CityMap(
        gazetteer=address.Gazetteer(tuple(compounds.values())),
        compounds=compounds,
        zones={
            level: {code: tuple(units) for code, units in by_school.items()}
            for level, by_school in zones.items()
        },
        schools=schools,
    )


def zone_for_address(text: str, level: str, city: CityMap | None = None) -> ZonePlacement | None:
    """The zone school of an address at a level, or None when the address is not resolved."""
    city = city or city_map()
    resolution = address.resolve(text, city.gazetteer)
    school_code = address.zone_of(resolution, city.zones.get(level, {}))
    # zone_of answers only when the address decides the zone: a building, or a
    # compound that lies wholly in one school's catchment.
    if school_code is None or resolution.compound_id is None:
        return None
    compound = city.compounds[resolution.compound_id]
    return ZonePlacement(
        school=city.schools[school_code],
        compound_code=compound.compound_id,
        building=resolution.building,
        latitude=compound.latitude,
        longitude=compound.longitude,
    )


def schools_in_scope(user: User) -> QuerySet[School]:
    """Schools a staff member works with: all for the city and observers, else their own."""
    schools = School.objects.select_related("district")
    if user.role in {Role.CITY, Role.OBSERVER}:
        return schools
    if user.role == Role.DISTRICT:
        return schools.filter(district=user.district_id)
    if user.role == Role.SCHOOL:
        return schools.filter(pk=user.school_id)
    return schools.none()


def seat_plans(round_: Round, user: User) -> QuerySet[SeatPlan]:
    return (
        SeatPlan.objects.filter(round=round_, school__in=schools_in_scope(user))
        .select_related("school__district")
        .order_by("school__code")
    )


def rounds() -> QuerySet[Round]:
    return Round.objects.select_related("term").order_by("-term__year", "level", "kind")


def zone_unit_counts(schools: QuerySet[School]) -> dict[int, int]:
    return dict(
        ZoneUnit.objects.filter(school__in=schools)
        .values_list("school")
        .annotate(n=Count("pk"))
        .order_by()
    )
