"""One mid-sized city shared by the tests, and an address reader written independently
of the generator so the tests can tell whether two address texts name the same flat."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import pytest

from sunshine.demo import City, Level, generate_city
from sunshine.engine.records import AddressUnit, Compound

CITY_CHILDREN = 5_000
CITY_SEED = 31

_FULL_WIDTH_DIGITS = {0xFF10 + d: 0x30 + d for d in range(10)}


@functools.cache
def shared_city() -> City:
    return generate_city(children=CITY_CHILDREN, seed=CITY_SEED, entry_year=2024)


@pytest.fixture
def city() -> City:
    return shared_city()


Place = tuple[str, int, int, int]  # compound id, building, unit, room


class AddressReader:
    """Finds a compound name or alias followed by building, unit and room numbers."""

    def __init__(self, compounds: Sequence[Compound]) -> None:
        self.by_name: dict[str, str] = {}
        for compound in compounds:
            for name in (compound.name, *compound.aliases):
                self.by_name[name] = compound.compound_id
        names = sorted(self.by_name, key=len, reverse=True)
        self.pattern = re.compile(
            "("
            + "|".join(map(re.escape, names))
            + r")(\d+)(?:栋|幢|号楼|-)(\d+)(?:单元|-)(\d+)室?$"
        )

    def read(self, text: str) -> Place | None:
        match = self.pattern.search(text.translate(_FULL_WIDTH_DIGITS))
        if match is None:
            return None
        name, building, unit, room = match.groups()
        return self.by_name[name], int(building), int(unit), int(room)


@functools.cache
def shared_reader() -> AddressReader:
    return AddressReader(shared_city().compounds)


class ZoneIndex:
    """Which public schools' zones cover a building, built straight from the zones."""

    def __init__(self, city: City) -> None:
        self._units: dict[tuple[Level, str], list[tuple[AddressUnit, str]]] = {}
        for zone in city.zones:
            for unit in zone.units:
                key = (zone.level, unit.compound_id)
                self._units.setdefault(key, []).append((unit, zone.school_code))

    def schools_covering(self, level: Level, compound_id: str, building: int) -> list[str]:
        return [
            school
            for unit, school in self._units.get((level, compound_id), [])
            if unit.contains(compound_id, building)
        ]

    def school(self, level: Level, place: Place | None) -> str | None:
        """The one school covering a flat, or None for a place outside every compound."""
        if place is None:
            return None
        (school,) = self.schools_covering(level, place[0], place[1])
        return school


@functools.cache
def shared_zone_index() -> ZoneIndex:
    return ZoneIndex(shared_city())
