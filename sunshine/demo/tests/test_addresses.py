"""Address text: the canonical departmental form and the forms parents type."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.demo import canonical_address
from sunshine.demo.addresses import render_address, variant_style
from sunshine.demo.tests.conftest import AddressReader
from sunshine.engine.records import Compound

JINXIU = Compound(
    compound_id="C1",
    name="锦绣华庭",
    aliases=(),
    district_code="430702",
    district="武陵区",
    street="丹阳街道",
    community="丹阳社区",
    road="朗州路",
    door_number=123,
    buildings=12,
    latitude=29.03,
    longitude=111.69,
)
TAOHUAYUAN = Compound(
    compound_id="C2",
    name="桃花源小区",
    aliases=("桃花源",),
    district_code="430702",
    district="武陵区",
    street="芙蓉街道",
    community="青年社区",
    road="桃花源路",
    door_number=8,
    buildings=6,
    latitude=29.04,
    longitude=111.70,
)


def test_the_canonical_form_reads_from_province_down_to_the_room() -> None:
    assert (
        canonical_address(JINXIU, 3, 2, 501)
        == "湖南省常德市武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3栋2单元501室"
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    which=st.sampled_from([JINXIU, TAOHUAYUAN]),
    building=st.integers(1, 6),
    unit=st.integers(1, 4),
    room=st.sampled_from([101, 502, 1203, 3304]),
)
def test_a_variant_differs_from_the_canonical_form_but_names_the_same_flat(
    seed: int, which: Compound, building: int, unit: int, room: int
) -> None:
    reader = AddressReader([JINXIU, TAOHUAYUAN])
    style = variant_style(random.Random(seed), which)
    typed = render_address(which, building, unit, room, style)
    assert typed != canonical_address(which, building, unit, room)
    assert reader.read(typed) == (which.compound_id, building, unit, room)


def test_the_road_named_like_a_compound_does_not_confuse_the_reader() -> None:
    reader = AddressReader([JINXIU, TAOHUAYUAN])
    assert reader.read(canonical_address(TAOHUAYUAN, 2, 1, 301)) == ("C2", 2, 1, 301)
