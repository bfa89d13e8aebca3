from sunshine.engine.address import Gazetteer
from sunshine.engine.records import AddressUnit, Compound
from sunshine.schools.models import School
from sunshine.schools.selectors import CityMap, zone_for_address

JINXIU = Compound(
    compound_id="jx",
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


def _city(units: tuple[AddressUnit, ...]) -> CityMap:
    school = School(code="S1", name="武陵区第一小学")
    return CityMap(
        gazetteer=Gazetteer([JINXIU]),
        compounds={"jx": JINXIU},
        zones={"primary": {"S1": units}},
        schools={"S1": school},
    )


def test_a_compound_wholly_in_one_zone_needs_no_building_number():
    placed = zone_for_address("武陵区锦绣华庭", "primary", _city((AddressUnit("jx", 1, 12),)))
    assert placed is not None and placed.school.code == "S1" and placed.building is None


def test_a_split_compound_needs_the_building_number():
    split = (AddressUnit("jx", 1, 6),)
    assert zone_for_address("武陵区锦绣华庭", "primary", _city(split)) is None
    placed = zone_for_address("武陵区锦绣华庭3栋2单元501室", "primary", _city(split))
    assert placed is not None and placed.building == 3
