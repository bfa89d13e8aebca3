"""Districts, streets, communities, roads and residential compounds of a Changde-like city."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sunshine.demo import names
from sunshine.demo.model import District
from sunshine.engine.records import Compound


@dataclass(frozen=True, slots=True)
class DistrictProfile:
    """Where a district lies and what it is made of; compounds scatter around its centre."""

    district: District
    compound_share: float
    spread_degrees: tuple[float, float]  # standard deviation of latitude and longitude
    latitude_bounds: tuple[float, float]  # keeps 武陵区 north and 鼎城区 south of the 沅江
    streets: tuple[str, ...]
    roads: tuple[str, ...]


WULING = District("430702", "武陵区", 29.035, 111.695)
DINGCHENG = District("430703", "鼎城区", 28.985, 111.680)
JINSHI = District("430781", "津市市", 29.605, 111.878)

PROFILES: tuple[DistrictProfile, ...] = (
    DistrictProfile(
        WULING,
        0.5,
        (0.014, 0.02),
        (29.012, 29.08),
        ("丹阳街道", "芙蓉街道", "府坪街道", "穿紫河街道", "永安街道", "南坪街道", "启明街道",
         "白马湖街道", "东江街道", "长庚街道"),
        ("朗州路", "武陵大道", "人民路", "洞庭大道", "柳叶大道", "建设路", "紫缘路", "皂果路",
         "育英路", "丹阳路", "青年路", "芙蓉路", "滨湖路", "龙港路", "常德大道", "永安路",
         "城东路", "穿紫河路", "桃花源路", "白马湖路"),
    ),
    DistrictProfile(
        DINGCHENG,
        0.3,
        (0.012, 0.02),
        (28.94, 29.005),
        ("玉霞街道", "郭家铺街道", "斗姆湖街道", "桥南街道", "武陵镇", "灌溪镇"),
        ("鼎城路", "善卷路", "金霞路", "玉霞路", "临沅路", "桥南路", "沅江路", "阳明路",
         "德政路", "花山路", "郭家铺路", "斗姆湖路"),
    ),
    DistrictProfile(
        JINSHI,
        0.2,
        (0.009, 0.012),
        (29.57, 29.64),
        ("襄阳街街道", "汪家桥街道", "三洲驿街道", "金鱼岭街道", "嘉山街道"),
        ("襄阳街", "孟姜女大道", "大观楼路", "津澧大道", "人民路", "新建路", "汪家桥路",
         "金鱼岭路", "嘉山路", "药山路"),
    ),
)  # fmt: skip

DISTRICTS: tuple[District, ...] = tuple(profile.district for profile in PROFILES)
COMMUNITIES_PER_STREET = 3
MIN_COMPOUNDS = 150
CHILDREN_PER_COMPOUND = (
    40  # compounds scale with the city so households per compound stay plausible
)
OLD_NAME_ALIAS_SHARE = 0.12


@dataclass(frozen=True, slots=True)
class Layout:
    """How many flats a compound has; families are placed in free flats."""

    units: int  # 单元 per building
    floors: int
    doors: int  # flats per floor and unit

    def capacity(self, buildings: int) -> int:
        return buildings * self.units * self.floors * self.doors


@dataclass(frozen=True, slots=True)
class Geography:
    districts: tuple[District, ...]
    compounds: tuple[Compound, ...]
    layouts: tuple[Layout, ...]  # parallel to compounds
    roads: dict[str, tuple[str, ...]]  # district code -> roads
    used_doors: frozenset[tuple[str, str, int]]  # (district code, road, number) taken


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance, accurate to well under 1% over a city."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = math.radians(lon2 - lon1) * math.cos(mean_lat)
    dy = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(dx, dy)


def compound_count(children: int) -> int:
    return max(MIN_COMPOUNDS, math.ceil(children / CHILDREN_PER_COMPOUND))


def _compound_names(rng: random.Random, count: int) -> list[str]:
    bases = [
        lead + kind
        for lead in names.COMPOUND_LEADS
        for kind in names.COMPOUND_KINDS
        if not lead.endswith(kind)
    ]
    rng.shuffle(bases)
    result = bases[:count]
    for phase in names.PHASES:
        if len(result) >= count:
            break
        result += [base + phase for base in bases[: count - len(result)]]
    if len(result) < count:
        raise ValueError(f"cannot name {count} compounds")
    return result


def _aliases(rng: random.Random, compound_names: list[str]) -> list[tuple[str, ...]]:
    taken = set(compound_names)
    old_names = list(names.OLD_COMPOUND_NAMES)
    rng.shuffle(old_names)
    aliases: list[tuple[str, ...]] = []
    for name in compound_names:
        short = name.removesuffix("小区")
        if short != name and len(short) >= 2 and short not in taken:
            taken.add(short)
            aliases.append((short,))
        elif old_names and rng.random() < OLD_NAME_ALIAS_SHARE:
            aliases.append((old_names.pop(),))
        else:
            aliases.append(())
    return aliases


def _layout(rng: random.Random, old: bool) -> tuple[int, Layout]:
    if old:
        return rng.randint(2, 8), Layout(rng.randint(2, 3), rng.choice((6, 7)), 2)
    if rng.random() < 0.35:
        return rng.randint(6, 16), Layout(rng.randint(2, 3), rng.choice((6, 7, 11)), 2)
    return rng.randint(6, 30), Layout(
        rng.randint(1, 3), rng.choice((11, 18, 26, 33)), rng.randint(2, 4)
    )


def _point(rng: random.Random, profile: DistrictProfile) -> tuple[float, float]:
    centre = profile.district
    low, high = profile.latitude_bounds
    while True:
        lat = rng.gauss(centre.latitude, profile.spread_degrees[0])
        if low <= lat <= high:
            break
    lon = rng.gauss(centre.longitude, profile.spread_degrees[1])
    return round(lat, 6), round(lon, 6)


def _nearest(points: list[tuple[float, float]], lat: float, lon: float) -> int:
    return min(range(len(points)), key=lambda i: distance_km(lat, lon, *points[i]))


def _district_counts(total: int) -> list[int]:
    counts = [math.floor(total * profile.compound_share) for profile in PROFILES]
    counts[0] += total - sum(counts)
    return counts


def build_geography(rng: random.Random, children: int) -> Geography:
    total = compound_count(children)
    compound_names = _compound_names(rng, total)
    aliases = _aliases(rng, compound_names)
    compounds: list[Compound] = []
    layouts: list[Layout] = []
    used_doors: set[tuple[str, str, int]] = set()
    index = 0
    for profile, count in zip(PROFILES, _district_counts(total), strict=True):
        district = profile.district
        street_centres = [_point(rng, profile) for _ in profile.streets]
        community_words = list(names.COMMUNITY_WORDS)
        rng.shuffle(community_words)
        communities = [
            [community_words.pop() + "社区" for _ in range(COMMUNITIES_PER_STREET)]
            for _ in profile.streets
        ]
        for _ in range(count):
            lat, lon = _point(rng, profile)
            street = _nearest(street_centres, lat, lon)
            road = rng.choice(profile.roads)
            door = rng.randint(1, 999)
            while (district.code, road, door) in used_doors:
                door = rng.randint(1, 999)
            used_doors.add((district.code, road, door))
            old = bool(aliases[index]) and not compound_names[index].endswith("小区")
            buildings, layout = _layout(rng, old)
            compounds.append(
                Compound(
                    compound_id=f"C{index + 1:05d}",
                    name=compound_names[index],
                    aliases=aliases[index],
                    district_code=district.code,
                    district=district.name,
                    street=profile.streets[street],
                    community=rng.choice(communities[street]),
                    road=road,
                    door_number=door,
                    buildings=buildings,
                    latitude=lat,
                    longitude=lon,
                )
            )
            layouts.append(layout)
            index += 1
    return Geography(
        districts=DISTRICTS,
        compounds=tuple(compounds),
        layouts=tuple(layouts),
        roads={profile.district.code: profile.roads for profile in PROFILES},
        used_doors=frozenset(used_doors),
    )
