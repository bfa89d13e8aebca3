"""Generate a whole synthetic city, deterministically from a seed."""

from __future__ import annotations

import gc
import random
from collections import Counter
from typing import Any

from sunshine.demo.families import build_families, hukou_cutoff, records_as_of
from sunshine.demo.geography import build_geography
from sunshine.demo.model import City, Level, Scenario, SchoolKind
from sunshine.demo.schools import ZoneLookup, allocate_seats, build_zones, place_schools


def _stream(seed: int, part: str) -> random.Random:
    """An independent random stream per part of the city. A string seed is hashed
    with SHA-512 by ``random.Random``, so the stream is the same in every process."""
    return random.Random(f"sunshine-demo:{seed}:{part}")


def generate_city(children: int = 10_000, seed: int = 2024, entry_year: int = 2024) -> City:
    """A Changde-like city with ``children`` applicants entering grade 1 or 7 in ``entry_year``."""
    if children < 0:
        raise ValueError("children must not be negative")
    # Millions of small acyclic objects make the cyclic collector rescan a growing heap
    # again and again; pausing it keeps generation linear in the city's size.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(children, seed, entry_year)
    finally:
        if collecting:
            gc.enable()


def _generate(children: int, seed: int, entry_year: int) -> City:
    geography = build_geography(_stream(seed, "geography"), children)
    sites = place_schools(_stream(seed, "schools"), geography)
    zones = build_zones(_stream(seed, "zones"), geography.compounds, sites)
    families, records = build_families(
        _stream(seed, "plans"),
        _stream(seed, "records"),
        _stream(seed, "declarations"),
        geography,
        ZoneLookup(zones),
        sites,
        entry_year,
        children,
    )
    pupils = [child for family in families for child in family.children]
    zone_applicants = Counter(child.zone_school for child in pupils)
    private_applicants = Counter(child.private_choice for child in pupils if child.private_choice)
    schools = allocate_seats(_stream(seed, "seats"), sites, zone_applicants, private_applicants)
    return City(
        seed=seed,
        entry_year=entry_year,
        records_as_of=records_as_of(entry_year),
        hukou_cutoff=hukou_cutoff(entry_year),
        districts=geography.districts,
        compounds=geography.compounds,
        schools=schools,
        zones=zones,
        families=families,
        records=records,
    )


def summary(city: City) -> dict[str, Any]:
    """Counts for the demo's printout: families by scenario, children by level, seats."""
    children = city.children()
    by_level = Counter(child.level.value for child in children)
    zone_applicants = Counter(child.zone_school for child in children)
    seats: dict[str, dict[str, int]] = {}
    for level in Level:
        level_schools = [school for school in city.schools if school.level is level]
        seats[level.value] = {
            "applicants": by_level[level.value],
            "public": sum(s.seats for s in level_schools if s.kind is SchoolKind.PUBLIC),
            "private": sum(s.seats for s in level_schools if s.kind is SchoolKind.PRIVATE),
        }
    crowded = sorted(
        (-zone_applicants[school.school_code] / max(school.seats, 1), school.school_code, school)
        for school in city.schools
        if school.kind is SchoolKind.PUBLIC and zone_applicants[school.school_code] > school.seats
    )
    oversubscribed = [
        {
            "school_code": school.school_code,
            "name": school.name,
            "applicants": zone_applicants[school.school_code],
            "seats": school.seats,
            "applicants_per_seat": round(-ratio, 2),
        }
        for ratio, _, school in crowded
    ]
    families_by_scenario = Counter(family.scenario for family in city.families)
    children_by_scenario = Counter(
        family.scenario for family in city.families for _ in family.children
    )
    records = city.records
    return {
        "seed": city.seed,
        "entry_year": city.entry_year,
        "families": len(city.families),
        "children": len(children),
        "children_by_level": {level.value: by_level[level.value] for level in Level},
        "families_by_scenario": {s.value: families_by_scenario[s] for s in Scenario},
        "children_by_scenario": {s.value: children_by_scenario[s] for s in Scenario},
        "multiple_birth_families": sum(family.multiple_birth for family in city.families),
        "left_behind_families": sum(family.left_behind for family in city.families),
        "variant_address_families": sum(family.address_variant for family in city.families),
        "private_choices": sum(child.private_choice is not None for child in children),
        "compounds": len(city.compounds),
        "schools": dict(Counter(f"{s.level.value}_{s.kind.value}" for s in city.schools)),
        "seats": seats,
        "oversubscribed_schools": oversubscribed,
        "records": {
            "hukou": len(records.hukou),
            "births": len(records.births),
            "properties": len(records.properties),
            "housing_contracts": len(records.housing_contracts),
            "rentals": len(records.rentals),
            "social_insurance": len(records.social_insurance),
            "residence_permits": len(records.residence_permits),
        },
    }
