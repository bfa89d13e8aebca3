"""The city map is reused while zones stand still and rebuilt the moment they change."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from sunshine.portal.tests import world as w
from sunshine.schools import selectors
from sunshine.schools.models import Compound, District, GazetteerStamp, Round, School, ZoneUnit
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


def test_checking_an_unchanged_city_reads_one_row(django_assert_num_queries):
    w.world()
    city_map()
    with django_assert_num_queries(1):
        city_map()


def _stamp():
    return GazetteerStamp.objects.get(pk=1).stamp


def _ninth_school():
    return School.objects.create(
        code="S9",
        name="第九小学",
        district=District.objects.first(),
        level="primary",
        latitude=29.0,
        longitude=111.7,
    )


CHANGES = {
    "insert a district": lambda: District.objects.create(code="430703", name="鼎城区"),
    "update a district": lambda: District.objects.update(name="新武陵区"),
    "delete a district": lambda: District.objects.filter(code="430703").delete(),
    "insert a compound": lambda: Compound.objects.create(
        code="C2",
        name="阳光小区",
        district=District.objects.first(),
        road="人民路",
        door_number=1,
        buildings=2,
        latitude=29.0,
        longitude=111.7,
    ),
    "update a compound": lambda: Compound.objects.update(buildings=11),
    "delete a compound": lambda: Compound.objects.filter(code="C2").delete(),
    "update a school": lambda: School.objects.filter(code="P1").update(name="武陵区第一小学"),
    "insert a school": _ninth_school,
    "delete a school": lambda: School.objects.filter(code="S9").delete(),
    "update a zone unit": lambda: ZoneUnit.objects.update(building_to=9),
    "delete a zone unit": lambda: ZoneUnit.objects.all().delete(),
    "insert a zone unit": lambda: ZoneUnit.objects.create(
        school=School.objects.get(code="V1"),
        compound=Compound.objects.get(),
        building_from=1,
        building_to=1,
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_the_tables_behind_the_map_renews_the_stamp(change):
    """The triggers are the map's only signal; a migration that rebuilt one of these
    tables on SQLite would drop them, and this would fail."""
    w.world()
    setup = {
        "delete a school": _ninth_school,
        "delete a district": CHANGES["insert a district"],
        "delete a compound": CHANGES["insert a compound"],
    }
    if change in setup:
        setup[change]()
    before = _stamp()
    CHANGES[change]()
    assert _stamp() != before


def test_a_change_to_other_tables_leaves_the_stamp():
    city = w.world()
    before = _stamp()
    Round.objects.filter(pk=city.round.pk).update(allows_private_choice=False)
    assert _stamp() == before


@pytest.mark.django_db(transaction=True)
def test_emptying_a_table_renews_the_stamp():
    w.world()
    before = _stamp()
    # As a restore or a hand-run clean-up would empty it: TRUNCATE, which SQLite lacks.
    emptying = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
    with connection.cursor() as cursor:
        cursor.execute(f"{emptying} {ZoneUnit._meta.db_table}")
    assert _stamp() != before


def test_a_change_made_while_the_map_is_built_is_seen_by_the_next_call(monkeypatch):
    """The map is kept under the stamp read before its rows, so a change committed in
    between leaves a new stamp and the next call builds again."""
    w.world()
    read_rows = selectors._gazetteer_rows

    def rows_then_a_rename():
        rows = read_rows()
        District.objects.update(name="改名区")
        return rows

    monkeypatch.setattr(selectors, "_gazetteer_rows", rows_then_a_rename)
    built_during_the_change = selectors.city_map()
    monkeypatch.setattr(selectors, "_gazetteer_rows", read_rows)
    assert {c.district for c in built_during_the_change.compounds.values()} == {"武陵区"}
    assert {c.district for c in selectors.city_map().compounds.values()} == {"改名区"}


def test_a_trigger_a_migration_dropped_is_put_back_after_migrate():
    city = w.world()
    zone_for_address(w.HOME, city.round.level)
    table = School._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_renews_stamp ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_update_renews_stamp")
    before = _stamp()
    School.objects.filter(code="P1").update(name="无触发器时改名")
    assert _stamp() == before  # unseen: the map would stay stale

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert _stamp() != before  # what changed meanwhile counts as new
    placed = zone_for_address(w.HOME, city.round.level)
    assert placed is not None and placed.school.name == "无触发器时改名"
    before = _stamp()
    School.objects.filter(code="P1").update(name="武陵区第一小学")
    assert _stamp() != before
