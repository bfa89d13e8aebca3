"""The city map is reused while zones stand still and rebuilt the moment they change."""

import pytest
from django.db import connection

from sunshine.portal.tests import world as w
from sunshine.schools.models import Compound, District, School, ZoneUnit
from sunshine.schools.selectors import city_map, zone_for_address

pytestmark = pytest.mark.django_db


def test_an_unchanged_city_is_not_built_again():
    w.world()
    assert city_map() is city_map()


def test_a_moved_zone_boundary_is_seen_at_once():
    city = w.world()
    placed = zone_for_address(w.HOME, city.round.level)
    assert placed is not None and placed.school == city.zone_school

    other = School.objects.create(
        code="S9",
        name="武陵区第九小学",
        district=city.zone_school.district,
        level="primary",
        latitude=29.0,
        longitude=111.7,
    )
    ZoneUnit.objects.filter(school=city.zone_school).update(school=other)
    moved = zone_for_address(w.HOME, city.round.level)
    assert moved is not None and moved.school.code == "S9"


def test_a_new_compound_alias_is_resolved_at_once():
    city = w.world()
    alias_address = "湖南省常德市武陵区金园小区3栋2单元501室"
    assert zone_for_address(alias_address, city.round.level) is None
    Compound.objects.update(aliases=["金园小区"])
    placed = zone_for_address(alias_address, city.round.level)
    assert placed is not None and placed.school == city.zone_school


def test_a_renamed_district_is_seen_at_once():
    city = w.world()
    assert "新武陵区" not in {c.district for c in city_map().compounds.values()}
    District.objects.filter(pk=city.zone_school.district_id).update(name="新武陵区")
    assert {c.district for c in city_map().compounds.values()} == {"新武陵区"}


def test_checking_an_unchanged_city_reads_one_digest_on_postgresql(django_assert_num_queries):
    w.world()
    city_map()
    # The digest on PostgreSQL; elsewhere the compounds, the zone units and their schools.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        city_map()
