"""The city as a whole: determinism, places, schools, zones and seats."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.demo import City, Level, SchoolKind, generate_city, summary
from sunshine.demo.tests.conftest import ZoneIndex

DIGEST_SCRIPT = (
    "import hashlib\n"
    "from sunshine.demo import generate_city\n"
    "print(hashlib.sha256(repr(generate_city(300, seed=11)).encode()).hexdigest())\n"
)


def _digest(city: City) -> str:
    return hashlib.sha256(repr(city).encode()).hexdigest()


def test_same_seed_gives_the_same_city() -> None:
    assert generate_city(400, seed=5) == generate_city(400, seed=5)


def test_a_different_seed_gives_a_different_city() -> None:
    first, second = generate_city(400, seed=5), generate_city(400, seed=6)
    assert first != second
    assert [c.name for c in first.compounds] != [c.name for c in second.compounds]
    assert {ch.id_number for ch in first.children()} != {ch.id_number for ch in second.children()}


def test_the_city_is_the_same_in_every_process_whatever_the_hash_seed() -> None:
    expected = _digest(generate_city(300, seed=11))
    for hash_seed in ("1", "977"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST_SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert out.stdout.strip() == expected


def test_generation_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    generate_city(50, seed=1)
    assert gc.isenabled()


def test_the_requested_number_of_children_is_generated(city: City) -> None:
    assert len(city.children()) == 5_000
    assert len(generate_city(0, seed=1).families) == 0
    assert len(generate_city(1, seed=1).children()) == 1


def test_the_three_changde_districts_are_there() -> None:
    city = generate_city(100, seed=2)
    codes = {d.code: d.name for d in city.districts}
    assert codes["430702"] == "武陵区"
    assert codes["430703"] == "鼎城区"
    assert codes["430781"] == "津市市"


def test_compound_names_and_aliases_are_unique_and_never_collide(city: City) -> None:
    names = [c.name for c in city.compounds]
    aliases = [alias for c in city.compounds for alias in c.aliases]
    assert len(set(names)) == len(names)
    assert len(set(aliases)) == len(aliases)
    assert not set(aliases) & set(names)
    assert any(c.name.endswith("小区") and c.aliases for c in city.compounds)
    assert any(c.aliases and not c.name.endswith("小区") for c in city.compounds)


def test_compounds_lie_around_their_district_centre(city: City) -> None:
    centres = {d.code: d for d in city.districts}
    for compound in city.compounds:
        centre = centres[compound.district_code]
        assert compound.district == centre.name
        assert abs(compound.latitude - centre.latitude) < 0.1
        assert abs(compound.longitude - centre.longitude) < 0.12
        assert compound.street.endswith(("街道", "镇"))
        assert compound.community.endswith("社区")
        assert compound.buildings >= 2
    wuling = [c for c in city.compounds if c.district_code == "430702"]
    mean_lat = sum(c.latitude for c in wuling) / len(wuling)
    mean_lon = sum(c.longitude for c in wuling) / len(wuling)
    assert abs(mean_lat - 29.03) < 0.02 and abs(mean_lon - 111.69) < 0.02


def test_each_compound_has_its_own_gate(city: City) -> None:
    gates = [(c.district_code, c.road, c.door_number) for c in city.compounds]
    assert len(set(gates)) == len(gates)


def test_forty_primary_and_fifteen_junior_schools_with_a_few_private(city: City) -> None:
    counts = Counter((s.level, s.kind) for s in city.schools)
    assert (
        counts[(Level.PRIMARY, SchoolKind.PUBLIC)] + counts[(Level.PRIMARY, SchoolKind.PRIVATE)]
        == 40
    )
    assert (
        counts[(Level.JUNIOR, SchoolKind.PUBLIC)] + counts[(Level.JUNIOR, SchoolKind.PRIVATE)] == 15
    )
    assert 1 <= counts[(Level.PRIMARY, SchoolKind.PRIVATE)] <= 5
    assert 1 <= counts[(Level.JUNIOR, SchoolKind.PRIVATE)] <= 3
    codes = [s.school_code for s in city.schools]
    names = [s.name for s in city.schools]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    for school in city.schools:
        assert school.class_size == (45 if school.level is Level.PRIMARY else 50)
        assert school.address.startswith("湖南省常德市")
        assert school.name.endswith(("小学", "中学"))


def test_only_public_schools_have_zones_and_none_is_empty(city: City) -> None:
    public = {s.school_code for s in city.schools if s.kind is SchoolKind.PUBLIC}
    zoned = [zone.school_code for zone in city.zones]
    assert sorted(zoned) == sorted(public)
    levels = {s.school_code: s.level for s in city.schools}
    for zone in city.zones:
        assert zone.units
        assert zone.level is levels[zone.school_code]


def _assert_every_building_in_exactly_one_zone_per_level(city: City) -> None:
    index = ZoneIndex(city)
    districts = {s.school_code: s.district_code for s in city.schools}
    for compound in city.compounds:
        for level in Level:
            for building in range(1, compound.buildings + 1):
                covering = index.schools_covering(level, compound.compound_id, building)
                assert len(covering) == 1, (compound.compound_id, building, level, covering)
                assert districts[covering[0]] == compound.district_code


def test_every_building_is_in_exactly_one_zone_per_level(city: City) -> None:
    _assert_every_building_in_exactly_one_zone_per_level(city)


def test_some_compounds_are_split_between_two_schools(city: City) -> None:
    split = 0
    for level in Level:
        schools_per_compound: dict[str, set[str]] = {}
        for zone in city.zones:
            if zone.level is level:
                for unit in zone.units:
                    schools_per_compound.setdefault(unit.compound_id, set()).add(zone.school_code)
        split += sum(len(schools) == 2 for schools in schools_per_compound.values())
    assert split >= 5


def _zone_applicants(city: City) -> Counter[str]:
    return Counter(child.zone_school for child in city.children())


def test_seats_are_about_105_percent_of_applicants_per_level(city: City) -> None:
    for level in Level:
        applicants = sum(child.level is level for child in city.children())
        seats = sum(s.seats for s in city.schools if s.level is level)
        assert 1.04 <= seats / applicants <= 1.06
        private = sum(
            s.seats for s in city.schools if s.level is level and s.kind is SchoolKind.PRIVATE
        )
        public = seats - private
        # Every child can be placed in a public school even if no one goes private.
        assert public >= applicants


def test_five_to_eight_popular_schools_are_oversubscribed_the_rest_have_room(city: City) -> None:
    applicants = _zone_applicants(city)
    crowded = []
    for school in city.schools:
        if school.kind is SchoolKind.PRIVATE:
            continue
        assert school.seats > 0, school.name
        ratio = applicants[school.school_code] / school.seats
        if ratio > 1:
            crowded.append(school)
            assert 1.3 <= ratio <= 2.5, (school.name, ratio)
    assert 5 <= len(crowded) <= 8
    assert {s.level for s in crowded} == {Level.PRIMARY, Level.JUNIOR}
    assert all(s.district_code in {"430702", "430703"} for s in crowded)


def test_private_schools_are_oversubscribed_by_those_who_choose_them(city: City) -> None:
    choices = Counter(child.private_choice for child in city.children() if child.private_choice)
    private = [s for s in city.schools if s.kind is SchoolKind.PRIVATE]
    assert sum(choices[s.school_code] for s in private) > sum(s.seats for s in private)
    assert all(s.seats > 0 for s in private)


def test_summary_counts_add_up(city: City) -> None:
    figures = summary(city)
    assert figures["children"] == 5_000
    assert sum(figures["children_by_scenario"].values()) == 5_000
    assert sum(figures["families_by_scenario"].values()) == figures["families"]
    assert sum(figures["children_by_level"].values()) == 5_000
    for level in ("primary", "junior"):
        row = figures["seats"][level]
        assert row["public"] + row["private"] == sum(
            s.seats for s in city.schools if s.level == level
        )
    assert 5 <= len(figures["oversubscribed_schools"]) <= 8
    ratios = [row["applicants_per_seat"] for row in figures["oversubscribed_schools"]]
    assert ratios == sorted(ratios, reverse=True)
    assert figures["records"]["births"] == 5_000


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**40),
    children=st.integers(1, 150),
    entry_year=st.integers(2020, 2032),
)
def test_small_cities_of_any_seed_are_fully_zoned_and_counted(
    seed: int, children: int, entry_year: int
) -> None:
    city = generate_city(children, seed=seed, entry_year=entry_year)
    assert len(city.children()) == children
    _assert_every_building_in_exactly_one_zone_per_level(city)
    index = ZoneIndex(city)
    for family in city.families:
        for child in family.children:
            assert child.zone_school in index.schools_covering(
                child.level, family.zone_home.compound_id, family.zone_home.building
            )
