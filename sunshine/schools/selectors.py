"""Reads about schools, zones and rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, QuerySet

from sunshine.accounts.models import Role
from sunshine.engine import address
from sunshine.engine.records import AddressUnit, Compound
from sunshine.schools.models import Compound as CompoundRow
from sunshine.schools.models import GazetteerStamp, Round, School, SeatPlan, ZoneUnit

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


_COMPOUND_COLUMNS = (
    "code",
    "name",
    "aliases",
    "district__code",
    "district__name",
    "street",
    "community",
    "road",
    "door_number",
    "buildings",
    "latitude",
    "longitude",
)


def _as_record(row: tuple[Any, ...]) -> Compound:
    code, name, aliases, district_code, district, *place = row
    street, community, road, door_number, buildings, latitude, longitude = place
    return Compound(
        compound_id=code,
        name=name,
        aliases=tuple(aliases),
        district_code=district_code,
        district=district,
        street=street,
        community=community,
        road=road,
        door_number=door_number,
        buildings=buildings,
        latitude=latitude,
        longitude=longitude,
    )


@dataclass(frozen=True)
class CityMap:
    gazetteer: address.Gazetteer
    compounds: dict[str, Compound]
    zones: dict[str, dict[str, tuple[AddressUnit, ...]]]  # level -> school code -> units
    schools: dict[str, School]  # school code -> school


def city_map() -> CityMap:
    """The gazetteer and the zones of every level, as they stand in the database now.

    On opening day each address a family types is resolved against the same map, and
    rebuilding it costs far more than checking it: the map is rebuilt only when the
    gazetteer stamp (renewed by database triggers on any change to the tables behind
    the map, see :class:`GazetteerStamp`) differs from the one it was built at.
    """
    global _last_city
    stamp = _gazetteer_stamp()
    last = _last_city
    if last is not None and stamp is not None and last[0] == stamp:
        return last[1]
    compounds, units, schools = _gazetteer_rows()
    city = _build_city_map(
        compounds, units, [School.from_db("default", _SCHOOL_FIELDS, row) for row in schools]
    )
    # Kept under the stamp read before the rows: a change made meanwhile left a new
    # stamp, never this one again, so the next call rebuilds.
    if stamp is not None:
        _last_city = (stamp, city)
    return city


_SCHOOL_FIELDS = [field.attname for field in School._meta.concrete_fields]
_STAMP_SQL = (
    f"SELECT {connection.ops.quote_name('stamp')}"
    f" FROM {connection.ops.quote_name(GazetteerStamp._meta.db_table)} WHERE id = 1"
)


def _gazetteer_stamp() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _gazetteer_rows() -> tuple[tuple[Any, ...], ...]:
    compounds = tuple(
        (*row[:2], tuple(row[2]), *row[3:])
        for row in CompoundRow.objects.order_by("pk").values_list(*_COMPOUND_COLUMNS)
    )
    units = tuple(
        ZoneUnit.objects.order_by("pk").values_list(
            "school_id", "compound__code", "building_from", "building_to"
        )
    )
    schools = tuple(
        School.objects.filter(pk__in={unit[0] for unit in units})
        .order_by("pk")
        .values_list(*_SCHOOL_FIELDS)
    )
    return compounds, units, schools


def _build_city_map(
    compounds: Sequence[tuple[Any, ...]],
    units: Sequence[tuple[int, str, int | None, int | None]],
    schools: Sequence[School],
) -> CityMap:
    records = {row[0]: _as_record(row) for row in compounds}
    by_pk = {school.pk: school for school in schools}
    zones: dict[str, dict[str, list[AddressUnit]]] = {}
    for school_pk, compound_code, building_from, building_to in units:
        school = by_pk[school_pk]
        by_school = zones.setdefault(school.level, {})
        by_school.setdefault(school.code, []).append(
            AddressUnit(compound_code, building_from, building_to)
        )
    return CityMap(
        gazetteer=address.Gazetteer(tuple(records.values())),
        compounds=records,
        zones={
            level: {code: tuple(units) for code, units in by_school.items()}
            for level, by_school in zones.items()
        },
        schools={school.code: school for school in schools},
    )


# The rows the last map was built from, and that map. A CityMap is never changed after
# it is built, so threads may share it; two threads rebuilding at once is harmless.
_last_city: tuple[object, CityMap] | None = None


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
