"""Free-text Chinese addresses: normalised, then resolved to a compound and a building.

Families and departments write the same flat in many ways: full-width digits,
幢 or 号楼 for 栋, Chinese numerals, with or without the province, street,
community or 小区 suffix, by road and door number instead of compound name.
``normalise`` brings them to one form; ``resolve`` finds the compound through a
``Gazetteer`` and never guesses: when two compounds fit, the answer is
``ambiguous`` with the candidates, and a contradiction is ``unresolved``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sunshine.engine.idnumber import CHANGDE_DIVISIONS
from sunshine.engine.records import AddressUnit, Compound


@dataclass(frozen=True, slots=True)
class Region:
    """The province and city whose names lead most addresses and carry no information."""

    province: str
    city: str
    divisions: tuple[str, ...]


CHANGDE = Region(province="湖南", city="常德", divisions=tuple(CHANGDE_DIVISIONS.values()))

# Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space, as IMEs produce them.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NOISE = re.compile(r"[\s,，、。.·:：;；\"'“”‘’()\[\]【】{}<>《》]")
_DASHES = re.compile(r"[—–~－]")

_NUMERAL_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMERAL_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBERED_MARKERS = "号楼|号|栋|幢|座|单元|室|层|楼|期|组|区|门|#"
_NUMERAL_RUN = re.compile(rf"([零〇一二两三四五六七八九十百千]+)(?={_NUMBERED_MARKERS})")
_ORDINAL = re.compile(r"第(?=\d+(?:栋|幢|座|号楼|单元|期|组|区))")

_BUILDING_HASH = re.compile(r"(\d+)#(?:楼|栋|幢|座)?")
_BUILDING = re.compile(r"(\d+)(?:号楼|号栋|号幢|栋楼|幢|座|栋)")
# "3号2单元": 号 before a unit names a building, unless a road's door number precedes.
_BUILDING_BY_HAO = re.compile(r"(?<![路街道巷\d])(\d+)号(?=\d+单元)")
_BUILDING_BY_LOU = re.compile(r"(?<!\d)(\d+)楼(?=\d+单元)")
_UNIT = re.compile(r"(\d+)(?:单元门|单元号|单元)")
_UNIT_BY_MEN = re.compile(r"(栋)(\d+)门")
_FLOOR = re.compile(r"(单元|栋)(\d+)[层楼](?=\d)")
_TRAILING_NUMERALS = re.compile(
    r"(单元|栋)([零〇一二两三四五六七八九十百千]+)((?:室|号房|号|房|户)?)$"
)
_ROOM = re.compile(r"(单元|栋)(\d+)(?:室|号房|号|房|户)?$")
_DASHED_FULL = re.compile(r"(?<![\d-])(\d+)-(\d+)-(\d+)(?:室|号)?$")
_DASHED_AFTER_BUILDING = re.compile(r"栋(\d+)-(\d+)(?:室|号)?$")

_TAIL = re.compile(r"(?:(\d+)栋)?(?:(\d+)单元)?(?:(\d+)室)?$")
_DOOR = re.compile(r"(\d+)号")
_DOOR_AT_END = re.compile(r"(\d+)号$")
# Characters that end an administrative or road name, so a compound name may follow.
_NAME_BOUNDARY = frozenset("号路街道巷区县市镇乡村组")


def chinese_number(numerals: str) -> str:
    """Arabic digits for a run of Chinese numerals: 十二 → 12, 一百零五 → 105, 五零一 → 501."""
    if not any(char in _NUMERAL_UNITS for char in numerals):
        return "".join(str(_NUMERAL_DIGITS[char]) for char in numerals)
    total = 0
    current = 0
    for char in numerals:
        if char in _NUMERAL_UNITS:
            total += (current or 1) * _NUMERAL_UNITS[char]
            current = 0
        else:
            current = _NUMERAL_DIGITS[char]
    return str(total + current)


# Searching is cheap and most addresses need few rewrites: each rewrite below runs only
# when a search finds something it would change (a substitution costs a call per match).
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_ANY_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千]")
_ANY_DASH = re.compile("[-—–~－]")
# A building marker other than 栋 after a number: only then does _BUILDING change anything.
_BUILDING_RESPELT = re.compile(r"\d(?:号楼|号栋|号幢|栋楼|幢|座)")
# Likewise 单元门 / 单元号 for _UNIT.
_UNIT_RESPELT = re.compile(r"\d单元[门号]")
_HAO_BEFORE_NUMBER = re.compile(r"号\d")
# Everything some rewrite below acts on; a text with none of it (and its room marked) is
# already canonical, as department records mostly are.
_REWRITE_TRIGGERS = re.compile(
    "["
    + _NOISE.pattern[1:-1]
    + "\uff01-\uff5e\u3000零〇一二两三四五六七八九十百千第\\-—–~－#门层楼]"
    + "|"
    + "|".join(
        pattern.pattern for pattern in (_BUILDING_RESPELT, _UNIT_RESPELT, _HAO_BEFORE_NUMBER)
    )
)


def _already_canonical(text: str) -> bool:
    if _REWRITE_TRIGGERS.search(text) or text.upper() != text:
        return False
    room = _ROOM.search(text)
    return room is None or room.group(0).endswith("室")


def _rewrite(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    return pattern.sub(replacement, text) if pattern.search(text) else text


@functools.lru_cache(maxsize=65_536)
def _canonical_forms(text: str) -> str:
    """One spelling for widths, numerals and the building, unit and room markers.

    Each rewrite runs only when the characters it needs are present: most
    addresses are already close to canonical, and this runs for every one.
    """
    if _already_canonical(text):
        return text
    if _WIDE.search(text):
        text = text.translate(_HALF_WIDTH)
    text = _NOISE.sub("", text).upper()
    if _ANY_NUMERAL.search(text):
        text = _NUMERAL_RUN.sub(lambda match: chinese_number(match.group(1)), text)
    if "第" in text:
        text = _ORDINAL.sub("", text)
    if _ANY_DASH.search(text):
        text = _DASHES.sub("-", text)
        text = _DASHED_FULL.sub(r"\1栋\2单元\3室", text)
    if "#" in text:
        text = _BUILDING_HASH.sub(r"\1栋", text)
    if _BUILDING_RESPELT.search(text):
        text = _BUILDING.sub(r"\1栋", text)
    if "单元" in text:
        if _HAO_BEFORE_NUMBER.search(text):
            text = _BUILDING_BY_HAO.sub(r"\1栋", text)
        if "楼" in text:
            text = _rewrite(_BUILDING_BY_LOU, r"\1栋", text)
        if _UNIT_RESPELT.search(text):
            text = _UNIT.sub(r"\1单元", text)
    if "-" in text:
        text = _rewrite(_DASHED_AFTER_BUILDING, r"栋\1单元\2室", text)
    if "门" in text:
        text = _rewrite(_UNIT_BY_MEN, r"\1\2单元", text)
    if "层" in text or "楼" in text:
        text = _rewrite(_FLOOR, r"\1", text)
    if _ANY_NUMERAL.search(text):
        # A room written in numerals with no marker after it: 2单元五零一.
        text = _TRAILING_NUMERALS.sub(
            lambda match: match.group(1) + chinese_number(match.group(2)) + match.group(3), text
        )
    room = _ROOM.search(text)
    if room is not None and not room.group(0).endswith("室"):
        text = _ROOM.sub(r"\1\2室", text)
    return text


def _strip_region(text: str, region: Region) -> tuple[str, bool]:
    """Drop a leading country, province and city; say whether the city was named."""
    for country in ("中华人民共和国", "中国"):
        if text.startswith(country):
            text = text[len(country) :]
            break
    named_city = False
    province = region.province
    if text.startswith(province + "省"):
        text = text[len(province) + 1 :]
    elif text.startswith(province + region.city):
        text = text[len(province) :]
    city = region.city
    if text.startswith(city + "市"):
        text = text[len(city) + 1 :]
        named_city = True
    elif text.startswith(city):
        # Bare 常德 is dropped only before a division: 常德大道 and 常德大厦 keep their names.
        if text[len(city) :].startswith(region.divisions):
            text = text[len(city) :]
        named_city = True
    return text, named_city


# Department extracts repeat addresses (a household shares one); the cache is bounded.
@functools.lru_cache(maxsize=65536)
def _normalise(text: str, region: Region) -> tuple[str, bool]:
    current = text
    named_city = False
    # A rewrite can expose a pattern for another (a stripped prefix, a converted numeral);
    # repeating until nothing changes makes normalising a normalised address a no-op.
    for _ in range(len(text) + 2):
        rewritten, named = _strip_region(_canonical_forms(current), region)
        named_city = named_city or named
        if rewritten == current:
            break
        current = rewritten
    return current, named_city


def normalise(text: str, *, region: Region = CHANGDE) -> str:
    """The canonical spelling of an address, e.g. ``武陵区朗州路123号锦绣华庭3栋2单元501室``.

    Half-width digits and letters, no spaces or punctuation, Arabic numbers for
    buildings, units and rooms, ``栋`` / ``单元`` / ``室`` as the only markers, and
    no leading country, province or city.
    """
    return _normalise(text, region)[0]


class ResolutionStatus(StrEnum):
    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNRESOLVED = "unresolved"


class ResolutionReason(StrEnum):
    """Why an address resolved or not; ambiguous and unresolved ones go to manual review."""

    MATCHED = "matched"
    SEVERAL_COMPOUNDS = "several_compounds"
    NO_COMPOUND_NAMED = "no_compound_named"
    UNKNOWN_COMPOUND = "unknown_compound"
    CONFLICTING_PARTS = "conflicting_parts"
    BUILDING_NOT_IN_COMPOUND = "building_not_in_compound"


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where an address points: a compound and building, or why that is not known.

    ``local`` says the text names this city or one of its districts, streets,
    communities, roads or compounds, which tells an address that could not be
    read from one that lies elsewhere. A district or county of the city that has
    no compound in the gazetteer is elsewhere too: no zone can reach it.
    """

    status: ResolutionStatus
    reason: ResolutionReason
    normalised: str
    compound_id: str | None = None
    building: int | None = None
    unit: int | None = None
    room: str | None = None
    candidates: tuple[str, ...] = ()
    building_count: int | None = None
    local: bool = False

    @property
    def dwelling(self) -> tuple[str, int, int | None, str | None] | None:
        """Compound, building, unit and room when the address resolved to a building."""
        if self.status is not ResolutionStatus.RESOLVED or self.compound_id is None:
            return None
        if self.building is None:
            return None
        return (self.compound_id, self.building, self.unit, self.room)


@dataclass(frozen=True, slots=True)
class _Mentions:
    """The administrative parts found in an address, by canonical name."""

    district: str | None = None
    street: str | None = None
    community: str | None = None
    road: str | None = None
    door: int | None = None

    def any(self) -> bool:
        parts = (self.district, self.street, self.community, self.road)
        return any(part is not None for part in parts)


def _variants(name: str, endings: Mapping[str, tuple[str, ...]]) -> set[str]:
    forms = {name}
    for ending, extras in endings.items():
        if name.endswith(ending):
            forms.update(name + extra for extra in extras)
    return forms


_STREET_ENDINGS = {"街道": ("办事处", "办"), "镇": ("人民政府",), "乡": ("人民政府",)}
_COMMUNITY_ENDINGS = {"社区": ("居委会", "居民委员会"), "村": ("委会", "民委员会")}
_GENERIC_SUFFIXES = ("小区", "花园")


def _implicit_keys(name: str) -> set[str]:
    """Spellings people use for a compound beyond its names: with or without 小区 / 花园."""
    keys = set()
    if not name.endswith("小区"):
        keys.add(name + "小区")
    for suffix in _GENERIC_SUFFIXES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and len(stem) >= 2:
            keys.add(stem)
            keys.add(stem + "小区")
    return keys


class _PrefixTable:
    """Spellings of one kind of name, matched longest first at the front of a text."""

    def __init__(self, spellings: Mapping[str, str]) -> None:
        self._spellings = dict(spellings)
        self._lengths = sorted({len(spelling) for spelling in spellings}, reverse=True)
        # Only spellings beginning with the text's first character can match its front.
        by_first: dict[str, set[int]] = {}
        for spelling in spellings:
            by_first.setdefault(spelling[:1], set()).add(len(spelling))
        self._no_first = [0] if "" in self._spellings else []
        self._lengths_by_first = {
            first: sorted({*lengths, *self._no_first}, reverse=True)
            for first, lengths in by_first.items()
        }

    @property
    def lengths(self) -> list[int]:
        return self._lengths

    def __contains__(self, spelling: object) -> bool:
        return spelling in self._spellings

    def match(self, text: str) -> tuple[str, int] | None:
        for length in self._lengths_by_first.get(text[:1], self._no_first):
            canonical = self._spellings.get(text[:length])
            if canonical is not None:
                return canonical, length
        return None


_RESOLVED_CACHE_SIZE = 65536


class Gazetteer:
    """The compounds of a city, indexed by every spelling ``resolve`` accepts."""

    def __init__(self, compounds: Sequence[Compound], *, region: Region = CHANGDE) -> None:
        self.region = region
        self._compounds: dict[str, Compound] = {}
        self._places: dict[str, tuple[str, str, str, str]] = {}
        self._resolved: dict[str, Resolution] = {}
        explicit: dict[str, set[str]] = {}
        implicit: dict[str, set[str]] = {}
        # Every division of the city counts, so naming one without compounds here conflicts.
        districts = {division: division for division in region.divisions}
        streets: dict[str, str] = {}
        communities: dict[str, str] = {}
        roads: dict[str, str] = {}
        by_gate: dict[tuple[str, int], set[str]] = {}
        self._zoned_districts = {_canonical_forms(compound.district) for compound in compounds}
        for compound in compounds:
            if compound.compound_id in self._compounds:
                raise ValueError(f"compound {compound.compound_id!r} listed twice")
            self._compounds[compound.compound_id] = compound
            self._places[compound.compound_id] = (
                _canonical_forms(compound.district),
                _canonical_forms(compound.street),
                _canonical_forms(compound.community),
                _canonical_forms(compound.road),
            )
            names = {_canonical_forms(name) for name in (compound.name, *compound.aliases)}
            for name in names:
                explicit.setdefault(name, set()).add(compound.compound_id)
                for key in _implicit_keys(name):
                    implicit.setdefault(key, set()).add(compound.compound_id)
            districts[_canonical_forms(compound.district)] = _canonical_forms(compound.district)
            street = _canonical_forms(compound.street)
            streets.update(dict.fromkeys(_variants(street, _STREET_ENDINGS), street))
            community = _canonical_forms(compound.community)
            communities.update(dict.fromkeys(_variants(community, _COMMUNITY_ENDINGS), community))
            road = _canonical_forms(compound.road)
            roads[road] = road
            by_gate.setdefault((road, compound.door_number), set()).add(compound.compound_id)
        self._explicit = {key: tuple(sorted(ids)) for key, ids in explicit.items()}
        self._implicit = {key: tuple(sorted(ids)) for key, ids in implicit.items()}
        self._key_lengths = sorted({len(key) for key in (*explicit, *implicit)}, reverse=True)
        self._districts = _PrefixTable(districts)
        self._streets = _PrefixTable(streets)
        self._communities = _PrefixTable(communities)
        self._roads = _PrefixTable(roads)
        self._by_gate = {gate: tuple(sorted(ids)) for gate, ids in by_gate.items()}

    def compound(self, compound_id: str) -> Compound:
        return self._compounds[compound_id]

    def __contains__(self, compound_id: object) -> bool:
        return compound_id in self._compounds

    def __len__(self) -> int:
        return len(self._compounds)

    def lookup_name(self, name: str) -> tuple[str, ...]:
        """Compounds called exactly ``name`` (names and aliases before generic variants)."""
        return self._explicit.get(name) or self._implicit.get(name, ())

    def _compound_at_end(self, text: str) -> tuple[str, ...]:
        """Compounds whose name ends ``text`` right after a road, door or place name."""
        exact = self.lookup_name(text)
        if exact:
            return exact
        for length in self._key_lengths:
            if length >= len(text):
                continue
            before = text[: len(text) - length]
            if before[-1] not in _NAME_BOUNDARY and before != self.region.city:
                continue
            found = self.lookup_name(text[-length:])
            if found:
                return found
        return ()

    def _strip_mentions(self, head: str) -> tuple[str, _Mentions]:
        """Take district, street, community and road + door off the front (any order)."""
        district: str | None = None
        street: str | None = None
        community: str | None = None
        road: str | None = None
        door: int | None = None
        head = self._without_bare_city(head)
        while head:
            if district is None and (match := self._districts.match(head)):
                district, length = match
            elif street is None and (match := self._streets.match(head)):
                street, length = match
            elif community is None and (match := self._communities.match(head)):
                community, length = match
            elif road is None and (gate := self._gate_at_start(head)):
                road, door, length = gate
            else:
                break
            head = head[length:]
        if road is None and (gate := self._gate_at_end(head)):
            road, door, length = gate
            head = head[: len(head) - length]
        mentions = _Mentions(district, street, community, road, door)
        return head, mentions

    def _without_bare_city(self, head: str) -> str:
        """Drop a bare city name (常德丹阳社区…) when a known place follows it."""
        city = self.region.city
        if not head.startswith(city):
            return head
        rest = head[len(city) :]
        tables = (self._districts, self._streets, self._communities)
        if any(table.match(rest) for table in tables) or self._gate_at_start(rest):
            return rest
        return head

    def _gate_at_start(self, text: str) -> tuple[str, int, int] | None:
        """A known road and a door number (朗州路123号) at the start of ``text``."""
        road_match = self._roads.match(text)
        if road_match is None:
            return None
        road, length = road_match
        door = _DOOR.match(text, length)
        if door is None:
            return None
        return road, int(door.group(1)), door.end()

    def _gate_at_end(self, text: str) -> tuple[str, int, int] | None:
        """A known road and a door number at the end of ``text`` (锦绣华庭（朗州路123号）)."""
        door = _DOOR_AT_END.search(text)
        if door is None:
            return None
        before = text[: door.start()]
        for length in self._roads.lengths:
            road = before[len(before) - length :]
            if length <= len(before) and road in self._roads:
                return road, int(door.group(1)), len(text) - door.start() + length
        return None

    def _consistent(self, compound_id: str, mentions: _Mentions) -> bool:
        district, street, community, road = self._places[compound_id]
        return (
            (mentions.district is None or mentions.district == district)
            and (mentions.street is None or mentions.street == street)
            and (mentions.community is None or mentions.community == community)
            and (mentions.road is None or mentions.road == road)
            and (mentions.door is None or mentions.door == self._compounds[compound_id].door_number)
        )

    def _could_be_zoned(self, named_city: bool, mentions: _Mentions) -> bool:
        if mentions.district is not None and mentions.district not in self._zoned_districts:
            return False
        return named_city or mentions.any()

    def _named_compounds(self, head: str, mentions: _Mentions) -> tuple[str, ...] | None:
        """Compounds the text names (None when it names none, not even by gate)."""
        if head:
            return self._compound_at_end(head)
        if mentions.road is not None and mentions.door is not None:
            return self._by_gate.get((mentions.road, mentions.door), ())
        return None

    def resolve(self, text: str) -> Resolution:
        """See the module function ``resolve``."""
        known = self._resolved.get(text)
        if known is None:
            if len(self._resolved) >= _RESOLVED_CACHE_SIZE:
                self._resolved.clear()
            known = self._resolved[text] = self._resolve(text)
        return known

    def _resolve(self, text: str) -> Resolution:
        normalised, named_city = _normalise(text, self.region)
        tail = _TAIL.search(normalised, _tail_start(normalised))
        assert tail is not None  # every part of the pattern is optional
        head, mentions = self._strip_mentions(normalised[: tail.start()])
        building = _int_or_none(tail.group(1))
        unit = _int_or_none(tail.group(2))
        named = self._named_compounds(head, mentions)
        fitting = tuple(cid for cid in named or () if self._consistent(cid, mentions))
        if len(fitting) == 1:
            compound = self._compounds[fitting[0]]
            if building is None or 1 <= building <= compound.buildings:
                return Resolution(
                    ResolutionStatus.RESOLVED,
                    ResolutionReason.MATCHED,
                    normalised,
                    compound_id=compound.compound_id,
                    building=building,
                    unit=unit,
                    room=tail.group(3),
                    building_count=compound.buildings,
                    local=True,
                )
        unresolved = Resolution(
            ResolutionStatus.UNRESOLVED,
            ResolutionReason.UNKNOWN_COMPOUND,
            normalised,
            building=building,
            unit=unit,
            room=tail.group(3),
            local=self._could_be_zoned(named_city, mentions),
        )
        if named is None:
            return replace(unresolved, reason=ResolutionReason.NO_COMPOUND_NAMED)
        if not named:
            return unresolved
        if not fitting:
            reason = ResolutionReason.CONFLICTING_PARTS
            return replace(unresolved, reason=reason, candidates=named, local=True)
        if len(fitting) > 1:
            return replace(
                unresolved,
                status=ResolutionStatus.AMBIGUOUS,
                reason=ResolutionReason.SEVERAL_COMPOUNDS,
                candidates=fitting,
                local=True,
            )
        reason = ResolutionReason.BUILDING_NOT_IN_COMPOUND
        return replace(unresolved, reason=reason, candidates=fitting, local=True)


_TAIL_MARKERS = frozenset("栋单元室")


def _tail_start(text: str) -> int:
    """Where the longest run of digits and tail markers ending the text starts.

    A match of ``_TAIL`` cannot start earlier; searching from here spares trying
    the all-optional pattern at every position of the text.
    """
    start = len(text)
    while start and (text[start - 1] in _TAIL_MARKERS or text[start - 1].isdecimal()):
        start -= 1
    return start


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text is not None else None


def resolve(text: str, gazetteer: Gazetteer) -> Resolution:
    """Resolve an address to a compound, building, unit and room, never by guessing.

    The compound is found by name or alias (with or without 小区 / 花园), or by the
    road and door number of its gate. District, street, community and road named
    in the text must agree with the compound; if they single out one of several
    compounds of the same name it is resolved, if several remain it is
    ``ambiguous``, and if none fits it is ``unresolved``.
    """
    return gazetteer.resolve(text)


def covers(
    units: Iterable[AddressUnit], compound_id: str, building: int | None, building_count: int | None
) -> bool:
    """Whether ``units`` contain the building, or every building when it is not known."""
    relevant = [unit for unit in units if unit.compound_id == compound_id]
    if building is not None:
        return any(unit.contains(compound_id, building) for unit in relevant)
    if not building_count:
        return False
    covered: set[int] = set()
    for unit in relevant:
        covered.update(range(unit.building_from, unit.building_to + 1))
    return covered.issuperset(range(1, building_count + 1))


def zones_of(resolution: Resolution, zones: Mapping[str, Sequence[AddressUnit]]) -> tuple[str, ...]:
    """Every school whose catchment contains the resolved address (sorted)."""
    if resolution.status is not ResolutionStatus.RESOLVED or resolution.compound_id is None:
        return ()
    return tuple(
        sorted(
            school
            for school, units in zones.items()
            if covers(units, resolution.compound_id, resolution.building, resolution.building_count)
        )
    )


def zone_of(resolution: Resolution, zones: Mapping[str, Sequence[AddressUnit]]) -> str | None:
    """The school whose catchment contains the address; None when none or several do."""
    schools = zones_of(resolution, zones)
    return schools[0] if len(schools) == 1 else None
