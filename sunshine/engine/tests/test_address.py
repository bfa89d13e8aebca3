"""Addresses as families and departments write them, resolved without guessing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.address import (
    Gazetteer,
    ResolutionReason,
    ResolutionStatus,
    chinese_number,
    normalise,
    resolve,
    zone_of,
    zones_of,
)
from sunshine.engine.records import AddressUnit, Compound


def _compound(
    compound_id: str,
    name: str,
    *,
    district: str = "武陵区",
    street: str = "丹阳街道",
    community: str = "丹阳社区",
    road: str = "朗州路",
    door: int = 123,
    buildings: int = 12,
    aliases: tuple[str, ...] = (),
) -> Compound:
    return Compound(
        compound_id, name, aliases, "430702", district, street, community, road, door, buildings,
        29.04, 111.69,
    )  # fmt: skip


_FUPING = {"street": "府坪街道", "community": "常青社区"}
_NANPING = {"street": "南坪街道", "community": "紫菱社区"}
CITY = Gazetteer(
    [
        _compound("jxht", "锦绣华庭", aliases=("锦绣花园",)),
        _compound("ht", "华庭", road="建设路", door=1, **_FUPING),
        _compound("jd", "金丹小区", road="洞庭大道", door=9, **_FUPING),
        _compound("yg-wl", "阳光小区", road="人民路", door=8, **_FUPING),
        _compound(
            "yg-dc",
            "阳光小区",
            district="鼎城区",
            street="玉霞街道",
            community="玉霞社区",
            road="武陵大道",
            door=55,
        ),
        _compound("zlhy", "紫菱花园", road="紫菱路", door=20, **_NANPING),
        _compound("zlxq", "紫菱小区", road="紫菱路", door=66, **_NANPING),
    ]
)

CANONICAL = "湖南省常德市武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3栋2单元501室"
FLAT = ("jxht", 3, 2, "501")


@pytest.mark.parametrize(
    "text",
    [
        CANONICAL,
        "湖南省常德市武陵区丹阳街道丹阳社区朗州路１２３号锦绣华庭３栋２单元５０１室",
        "湖南省常德市武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3幢2单元501室",
        "常德市武陵区朗州路123号锦绣华庭3号楼2单元501",
        "武陵区锦绣华庭小区3栋2单元501室",
        "锦绣花园3栋2单元501室",
        "常德市武陵区锦绣华庭3栋2单元501室",
        "湖南省常德市武陵区朗州路123号3栋2单元501室",
        "常德武陵区锦绣华庭 三栋 二单元 五零一室",
        "锦绣华庭第三栋二单元门501号",
        "锦绣华庭3#楼2单元501房",
        "锦绣华庭3-2-501",
        "锦绣华庭3栋2-501",
        "锦绣华庭3座2单元5楼501室",
        "锦绣华庭（朗州路123号）3栋2单元501室",
        "中国湖南常德武陵区锦绣华庭3号2单元501",
    ],
)
def test_variants_of_one_flat_resolve_to_it(text: str) -> None:
    resolution = resolve(text, CITY)
    assert resolution.status is ResolutionStatus.RESOLVED, resolution
    assert resolution.dwelling == FLAT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CANONICAL, "武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3栋2单元501室"),
        ("锦绣华庭　３幢２单元５０１", "锦绣华庭3栋2单元501室"),
        ("锦绣华庭十二栋", "锦绣华庭12栋"),
        ("朗州路一百零五号", "朗州路105号"),
        ("锦绣华庭二十三号楼", "锦绣华庭23栋"),
        ("锦绣华庭b座", "锦绣华庭B座"),
        ("湖南路12号", "湖南路12号"),  # a road named after the province keeps its name
        ("常德大道88号", "常德大道88号"),  # and one named after the city
        ("湖南省常德市津市市孟姜女大道1号", "津市市孟姜女大道1号"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("numerals", "digits"),
    [("三", "3"), ("十", "10"), ("十二", "12"), ("二十", "20"), ("一百零五", "105"),
     ("五零一", "501"), ("一二零三", "1203"), ("两", "2")],
)  # fmt: skip
def test_chinese_numbers(numerals: str, digits: str) -> None:
    assert chinese_number(numerals) == digits


def test_same_name_in_two_districts_without_a_district_is_ambiguous() -> None:
    resolution = resolve("常德市阳光小区2栋1单元101室", CITY)
    assert resolution.status is ResolutionStatus.AMBIGUOUS
    assert resolution.candidates == ("yg-dc", "yg-wl")
    assert resolution.compound_id is None and resolution.dwelling is None


@pytest.mark.parametrize(
    ("text", "compound_id"),
    [
        ("常德市鼎城区阳光小区2栋1单元101室", "yg-dc"),
        ("武陵区阳光小区2栋", "yg-wl"),
        ("玉霞街道阳光小区2栋", "yg-dc"),
        ("常青社区阳光小区2栋", "yg-wl"),
        ("人民路8号阳光小区2栋", "yg-wl"),
        ("武陵大道55号2栋", "yg-dc"),
    ],
)
def test_district_street_community_or_gate_singles_out_one(text: str, compound_id: str) -> None:
    resolution = resolve(text, CITY)
    assert resolution.status is ResolutionStatus.RESOLVED
    assert resolution.compound_id == compound_id


@pytest.mark.parametrize(
    "text",
    [
        "津市市阳光小区2栋",  # a division of Changde where no 阳光小区 lies
        "鼎城区锦绣华庭3栋",  # 锦绣华庭 is in 武陵区
        "建设路1号锦绣华庭3栋",  # the gate of another compound
    ],
)
def test_parts_that_contradict_each_other_are_not_resolved(text: str) -> None:
    resolution = resolve(text, CITY)
    assert resolution.status is ResolutionStatus.UNRESOLVED
    assert resolution.reason is ResolutionReason.CONFLICTING_PARTS


def test_misspelt_compound_is_not_matched_to_a_shorter_name_inside_it() -> None:
    # 华庭 is a real compound, but 锦秀华庭 is a misspelling of 锦绣华庭, not 华庭.
    resolution = resolve("武陵区锦秀华庭3栋2单元501室", CITY)
    assert resolution.status is ResolutionStatus.UNRESOLVED
    assert resolution.reason is ResolutionReason.UNKNOWN_COMPOUND
    assert resolution.local


def test_a_compound_named_after_a_road_or_place_name_still_resolves() -> None:
    assert resolve("府坪街道华庭5栋", CITY).compound_id == "ht"
    assert resolve("建设路1号华庭5栋", CITY).compound_id == "ht"


def test_missing_xiaoqu_suffix_and_names_with_their_own_suffix() -> None:
    assert resolve("金丹6栋1单元302室", CITY).compound_id == "jd"
    # 紫菱小区 is a compound's own name: it wins over 紫菱花园 spelled with 小区.
    assert resolve("紫菱小区1栋", CITY).compound_id == "zlxq"
    assert resolve("紫菱花园1栋", CITY).compound_id == "zlhy"
    shortened = resolve("紫菱1栋", CITY)
    assert shortened.status is ResolutionStatus.AMBIGUOUS
    assert shortened.candidates == ("zlhy", "zlxq")


def test_building_beyond_the_compound_is_not_resolved() -> None:
    resolution = resolve("锦绣华庭13栋1单元101室", CITY)
    assert resolution.reason is ResolutionReason.BUILDING_NOT_IN_COMPOUND


def test_street_alone_names_no_compound() -> None:
    resolution = resolve("常德市武陵区丹阳街道丹阳社区", CITY)
    assert resolution.reason is ResolutionReason.NO_COMPOUND_NAMED
    assert resolution.local


def test_address_in_another_city_is_not_local() -> None:
    resolution = resolve("广东省深圳市南山区粤海街道科技园社区科苑路15号", CITY)
    assert resolution.status is ResolutionStatus.UNRESOLVED
    assert not resolution.local


def test_a_county_of_the_city_without_zones_is_not_local() -> None:
    # 临澧县 is part of 常德市, but no compound of this gazetteer lies there.
    resolution = resolve("湖南省常德市临澧县安福街道金星村3组3号", CITY)
    assert resolution.status is ResolutionStatus.UNRESOLVED
    assert not resolution.local
    assert resolve("常德市武陵区锦秀华庭3栋2单元501室", CITY).local


def test_a_compound_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        Gazetteer([_compound("a", "甲"), _compound("a", "乙")])


ZONES = {
    "wl-1": (AddressUnit("jxht", 1, 8), AddressUnit("jd", 1, 12)),
    "wl-2": (AddressUnit("jxht", 9, 12), AddressUnit("yg-wl", 1, 6)),
    "wl-3": (AddressUnit("yg-wl", 6, 12),),  # building 6 of 阳光小区 is in two zones
}


@pytest.mark.parametrize(
    ("text", "school"),
    [
        ("锦绣华庭3栋2单元501室", "wl-1"),
        ("锦绣华庭8栋", "wl-1"),
        ("锦绣华庭9栋", "wl-2"),
        ("金丹小区", "wl-1"),  # no building, but the whole compound is in one zone
        ("锦绣华庭", None),  # no building, and the compound is split between zones
        ("武陵区阳光小区6栋", None),  # in two zones: never pick one
        ("鼎城区阳光小区1栋", None),  # in no zone
        ("阳光小区1栋", None),  # ambiguous address
    ],
)
def test_zone_of(text: str, school: str | None) -> None:
    assert zone_of(resolve(text, CITY), ZONES) == school


def test_zones_of_lists_every_school_whose_catchment_overlaps() -> None:
    assert zones_of(resolve("武陵区阳光小区6栋", CITY), ZONES) == ("wl-2", "wl-3")


# Property tests: any way of writing the flat resolves to the flat.

_FULL_WIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})
_DIGIT_NUMERALS = "零一二三四五六七八九"


def _positional(number: int) -> str:
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGIT_NUMERALS[ones]
    return (
        ("" if tens == 1 else _DIGIT_NUMERALS[tens])
        + "十"
        + (_DIGIT_NUMERALS[ones] if ones else "")
    )


@st.composite
def written_flat(draw: st.DrawFn) -> tuple[str, tuple[str, int, int, str]]:
    building = draw(st.integers(1, 12))
    unit = draw(st.integers(1, 4))
    room = f"{draw(st.integers(1, 18))}0{draw(st.integers(1, 4))}"
    style = draw(st.sampled_from(["arabic", "full-width", "numerals"]))

    def number(value: int) -> str:
        if style == "numerals":
            return _positional(value)
        return str(value).translate(_FULL_WIDTH) if style == "full-width" else str(value)

    def room_text() -> str:
        if style == "numerals":
            return "".join(_DIGIT_NUMERALS[int(d)] for d in room)
        return room.translate(_FULL_WIDTH) if style == "full-width" else room

    prefix = draw(st.sampled_from(["", "湖南省常德市", "常德市", "湖南常德", "中国湖南省常德市"]))
    parts = [prefix]
    parts.append(draw(st.sampled_from(["", "武陵区"])))
    parts.append(draw(st.sampled_from(["", "丹阳街道", "丹阳街道办事处"])))
    parts.append(draw(st.sampled_from(["", "丹阳社区", "丹阳社区居委会"])))
    gate = draw(st.booleans())
    if gate:
        parts.append(f"朗州路{number(123) if style != 'numerals' else '一百二十三'}号")
    name = draw(st.sampled_from(["锦绣华庭", "锦绣华庭小区", "锦绣花园", ""] if gate else
                                ["锦绣华庭", "锦绣华庭小区", "锦绣花园"]))  # fmt: skip
    parts.append(name)
    building_marker = draw(st.sampled_from(["栋", "幢", "号楼", "座", "#", "#楼", "号栋"]))
    parts.append(number(building) + building_marker)
    parts.append(number(unit) + draw(st.sampled_from(["单元", "单元门"])))
    parts.append(room_text() + draw(st.sampled_from(["室", "号", "", "房"])))
    separator = draw(st.sampled_from(["", " ", "\u3000"]))
    return separator.join(part for part in parts if part), ("jxht", building, unit, room)


@settings(max_examples=300, deadline=None)
@given(written_flat())
def test_any_spelling_of_a_flat_resolves_to_that_flat(
    case: tuple[str, tuple[str, int, int, str]],
) -> None:
    text, flat = case
    resolution = resolve(text, CITY)
    assert resolution.dwelling == flat, (text, resolution)


_ADDRESS_ALPHABET = st.sampled_from(
    [
        *"0123456789０１２３-#（）() \u3000零一二两三四五六七八九十百第",
        *(
            "栋",
            "幢",
            "号楼",
            "号",
            "座",
            "单元",
            "单元门",
            "门",
            "室",
            "房",
            "楼",
            "层",
            "期",
            "区",
        ),
        *("湖南省", "湖南", "常德市", "常德", "武陵区", "锦绣华庭", "朗州路", "中国"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ADDRESS_ALPHABET, max_size=14).map("".join))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
