"""Schools, their catchment zones (划片) and this year's seats."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sunshine.demo.addresses import school_address
from sunshine.demo.geography import DISTRICTS, Geography, distance_km
from sunshine.demo.model import Level, School, SchoolKind, Zone
from sunshine.engine.records import AddressUnit, Compound

CLASS_SIZE = {Level.PRIMARY: 45, Level.JUNIOR: 50}

# Seats in the entry grade, public and private together, as a share of that level's applicants.
TOTAL_SEATS_PER_APPLICANT = 1.05
# Private seats as a share of the level's applicants; with about 10% of children
# choosing a private school, private schools draw lots at roughly two applicants a seat.
PRIVATE_SEATS_PER_APPLICANT = 0.05
# Popular public schools: how many per level and how oversubscribed within their zone.
POPULAR_SCHOOLS = {Level.PRIMARY: (4, 6), Level.JUNIOR: (1, 2)}
POPULAR_RATIO = (1.3, 2.5)
MIN_POPULAR_APPLICANTS = 4
# Share of compounds (with enough buildings) split between two schools by building range.
SPLIT_SHARE = 0.1
MIN_SPLIT_BUILDINGS = 6

# (district code, level, kind) -> school names. The counts are fixed: 40 primary, 15 junior.
SCHOOL_NAMES: dict[tuple[str, Level, SchoolKind], tuple[str, ...]] = {
    ("430702", Level.PRIMARY, SchoolKind.PUBLIC): (
        "武陵区第一小学", "武陵区第二小学", "武陵区第三小学", "武陵区第四小学", "武陵区第五小学",
        "武陵区第六小学", "芙蓉路小学", "朗州路小学", "育英小学", "丹阳小学", "白马湖小学",
        "穿紫河小学", "紫缘小学", "启明小学", "永安小学", "东江小学", "长庚小学",
    ),
    ("430702", Level.PRIMARY, SchoolKind.PRIVATE): ("常德市博雅实验小学", "武陵区启航外国语小学"),
    ("430703", Level.PRIMARY, SchoolKind.PUBLIC): (
        "鼎城区第一小学", "鼎城区第二小学", "鼎城区第三小学", "鼎城区第四小学", "玉霞小学",
        "郭家铺小学", "斗姆湖小学", "桥南小学", "善卷小学", "金霞小学", "武陵镇中心小学",
        "灌溪镇中心小学",
    ),
    ("430703", Level.PRIMARY, SchoolKind.PRIVATE): ("鼎城区德馨实验小学",),
    ("430781", Level.PRIMARY, SchoolKind.PUBLIC): (
        "津市市第一小学", "津市市第二小学", "津市市第三小学", "襄阳街小学", "汪家桥小学",
        "嘉山小学", "金鱼岭小学", "三洲驿小学",
    ),
    ("430702", Level.JUNIOR, SchoolKind.PUBLIC): (
        "常德市第二中学", "常德市第四中学", "常德市第七中学", "武陵区芙蓉中学", "武陵区丹阳中学",
        "武陵区白马湖中学",
    ),
    ("430702", Level.JUNIOR, SchoolKind.PRIVATE): ("常德市博雅实验中学",),
    ("430703", Level.JUNIOR, SchoolKind.PUBLIC): (
        "鼎城区第一中学", "鼎城区玉霞中学", "鼎城区郭家铺中学", "鼎城区斗姆湖中学",
    ),
    ("430703", Level.JUNIOR, SchoolKind.PRIVATE): ("鼎城区德馨实验中学",),
    ("430781", Level.JUNIOR, SchoolKind.PUBLIC): (
        "津市市第一中学", "津市市第二中学", "津市市襄阳中学",
    ),
}  # fmt: skip

# Districts whose central schools families compete for; 津市市 is too small for a rush.
POPULAR_DISTRICTS = ("430702", "430703")


@dataclass(frozen=True, slots=True)
class SchoolSite:
    """A school before its seats are known."""

    school_code: str
    name: str
    district_code: str
    kind: SchoolKind
    level: Level
    address: str
    latitude: float
    longitude: float
    anchor: int  # index of the compound the school stands beside


class ZoneLookup:
    """Which public school's zone covers a building, per level."""

    def __init__(self, zones: Sequence[Zone]) -> None:
        self._units: dict[tuple[Level, str], list[tuple[int, int, str]]] = {}
        for zone in zones:
            for unit in zone.units:
                key = (zone.level, unit.compound_id)
                entry = (unit.building_from, unit.building_to, zone.school_code)
                self._units.setdefault(key, []).append(entry)

    def school(self, level: Level, compound_id: str, building: int) -> str:
        for first, last, school_code in self._units[(level, compound_id)]:
            if first <= building <= last:
                return school_code
        raise KeyError(f"building {building} of {compound_id} is in no {level} zone")


def place_schools(rng: random.Random, geography: Geography) -> tuple[SchoolSite, ...]:
    """Put each school beside a distinct compound of its district, on a road of its own."""
    sites: list[SchoolSite] = []
    used_doors = set(geography.used_doors)
    compounds = geography.compounds
    serial = {Level.PRIMARY: 0, Level.JUNIOR: 0}
    for district in geography.districts:
        local = [
            i for i, compound in enumerate(compounds) if compound.district_code == district.code
        ]
        for level in Level:
            anchors = list(local)
            rng.shuffle(anchors)
            for kind in SchoolKind:
                for name in SCHOOL_NAMES.get((district.code, level, kind), ()):
                    anchor = anchors.pop()
                    compound = compounds[anchor]
                    road = rng.choice(geography.roads[district.code])
                    door = rng.randint(1, 999)
                    while (district.code, road, door) in used_doors:
                        door = rng.randint(1, 999)
                    used_doors.add((district.code, road, door))
                    serial[level] += 1
                    level_digit = "1" if level is Level.PRIMARY else "2"
                    sites.append(
                        SchoolSite(
                            school_code=f"{district.code}{level_digit}{serial[level]:03d}",
                            name=name,
                            district_code=district.code,
                            kind=kind,
                            level=level,
                            address=school_address(compound, road, door),
                            latitude=round(compound.latitude + rng.uniform(-0.002, 0.002), 6),
                            longitude=round(compound.longitude + rng.uniform(-0.002, 0.002), 6),
                            anchor=anchor,
                        )
                    )
    return tuple(sites)


def build_zones(
    rng: random.Random, compounds: Sequence[Compound], sites: Sequence[SchoolSite]
) -> tuple[Zone, ...]:
    """Each compound goes to the nearest public school of its district, except a school's
    own anchor compound, which is always its own (so no zone is empty); some large
    compounds are split by building range with the second-nearest school."""
    zones: list[Zone] = []
    for level in Level:
        public = [site for site in sites if site.level is level and site.kind is SchoolKind.PUBLIC]
        units: dict[str, list[AddressUnit]] = {site.school_code: [] for site in public}
        anchored = {site.anchor: site for site in public}
        for index, compound in enumerate(compounds):
            local = [site for site in public if site.district_code == compound.district_code]
            local.sort(
                key=lambda site: (
                    distance_km(
                        compound.latitude, compound.longitude, site.latitude, site.longitude
                    ),
                    site.school_code,
                )
            )
            first = anchored.get(index, local[0])
            others = [site for site in local if site is not first]
            whole = AddressUnit(compound.compound_id, 1, compound.buildings)
            if (
                index not in anchored
                and others
                and compound.buildings >= MIN_SPLIT_BUILDINGS
                and rng.random() < SPLIT_SHARE
            ):
                cut = rng.randint(2, compound.buildings - 2)
                units[first.school_code].append(AddressUnit(compound.compound_id, 1, cut))
                units[others[0].school_code].append(
                    AddressUnit(compound.compound_id, cut + 1, compound.buildings)
                )
            else:
                units[first.school_code].append(whole)
        zones += [Zone(site.school_code, level, tuple(units[site.school_code])) for site in public]
    return tuple(zones)


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``; ties go to the earlier one."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _popular_seats(rng: random.Random, applicants: int) -> int:
    low, high = POPULAR_RATIO
    wanted = round(applicants / rng.uniform(low, high))
    return min(max(wanted, math.ceil(applicants / high)), math.floor(applicants / low))


def allocate_seats(
    rng: random.Random,
    sites: Sequence[SchoolSite],
    zone_applicants: Mapping[str, int],
    private_applicants: Mapping[str, int],
) -> tuple[School, ...]:
    """Seats per school: a few popular public schools oversubscribed within their zone,
    every other public school with room for its whole zone and some to spare."""
    seats: dict[str, int] = {}
    for level in Level:
        level_sites = [site for site in sites if site.level is level]
        applicants = sum(zone_applicants.get(site.school_code, 0) for site in level_sites)
        total = round(applicants * TOTAL_SEATS_PER_APPLICANT)
        private = [site for site in level_sites if site.kind is SchoolKind.PRIVATE]
        private_total = round(applicants * PRIVATE_SEATS_PER_APPLICANT)
        private_weights = [private_applicants.get(site.school_code, 0) + 1.0 for site in private]
        for site, share in zip(
            private, _largest_remainder(private_total, private_weights), strict=True
        ):
            seats[site.school_code] = share
        public = [site for site in level_sites if site.kind is SchoolKind.PUBLIC]
        popular = _choose_popular(rng, level, public, zone_applicants)
        for site in popular:
            seats[site.school_code] = _popular_seats(rng, zone_applicants[site.school_code])
        rest = [site for site in public if site not in popular]
        need = [zone_applicants.get(site.school_code, 0) for site in rest]
        spare_total = total - private_total - sum(seats[site.school_code] for site in popular)
        # Weighting by zone size plus the mean zone size gives small zones some room too.
        base = max(1.0, sum(need) / max(len(need), 1))
        spare = _largest_remainder(spare_total - sum(need), [n + base for n in need])
        for site, own, extra in zip(rest, need, spare, strict=True):
            seats[site.school_code] = own + extra
    return tuple(
        School(
            school_code=site.school_code,
            name=site.name,
            district_code=site.district_code,
            kind=site.kind,
            level=site.level,
            address=site.address,
            latitude=site.latitude,
            longitude=site.longitude,
            class_size=CLASS_SIZE[site.level],
            seats=seats[site.school_code],
        )
        for site in sites
    )


def _choose_popular(
    rng: random.Random, level: Level, public: list[SchoolSite], zone_applicants: Mapping[str, int]
) -> list[SchoolSite]:
    """Popular schools are drawn from the central ones, near the district's centre."""
    centres = {district.code: district for district in DISTRICTS}

    def remoteness(site: SchoolSite) -> tuple[float, str]:
        centre = centres[site.district_code]
        return (
            distance_km(site.latitude, site.longitude, centre.latitude, centre.longitude),
            site.school_code,
        )

    candidates = sorted(
        (
            site
            for site in public
            if site.district_code in POPULAR_DISTRICTS
            and zone_applicants.get(site.school_code, 0) >= MIN_POPULAR_APPLICANTS
        ),
        key=remoteness,
    )
    low, high = POPULAR_SCHOOLS[level]
    count = min(rng.randint(low, high), len(candidates))
    chosen = rng.sample(candidates[: 2 * count], count)
    return sorted(chosen, key=lambda site: site.school_code)
