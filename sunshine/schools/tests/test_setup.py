"""Set-up services: timetable order, seat plans with reserved quotas, zone import from XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from sunshine import testing
from sunshine.admissions import services as admissions
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.engine.lottery.sources import onsite_source
from sunshine.schools import services
from sunshine.schools.models import Compound, ZoneUnit

BUREAU = Actor("bureau", "city")


def _xlsx(rows, header=("学校代码", "小区编号", "起始楼栋", "结束楼栋")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def zoned(db):
    round_ = testing.round_()
    first = testing.school("S1", round_, seats=5)
    second = testing.school("S2", round_, seats=5)
    district = testing.district()
    for code, buildings in (("C1", 10), ("C2", 4)):
        Compound.objects.create(
            code=code,
            name=f"小区{code}",
            district=district,
            street="街道",
            community="社区",
            road="路",
            door_number=1,
            buildings=buildings,
            latitude=29.0,
            longitude=111.0,
        )
    ZoneUnit.objects.create(
        school=second, compound=Compound.objects.get(code="C2"), building_from=1, building_to=4
    )
    return round_, first, second


def _units():
    return sorted(
        ZoneUnit.objects.values_list(
            "school__code", "compound__code", "building_from", "building_to"
        )
    )


def test_a_clean_sheet_replaces_the_zones_of_the_schools_it_names(zoned):
    report = services.import_zones(
        BUREAU, _xlsx([("S1", "C1", 1, 6), ("S1", "C1", 7, 10)]), allowed_schools={"S1", "S2"}
    )
    assert report.ok and report.rows == 2 and report.schools == ("S1",)
    assert _units() == [("S1", "C1", 1, 6), ("S1", "C1", 7, 10), ("S2", "C2", 1, 4)]
    replaced = services.import_zones(BUREAU, _xlsx([("S1", "C1", 2, 3)]), allowed_schools={"S1"})
    assert replaced.ok
    assert _units() == [("S1", "C1", 2, 3), ("S2", "C2", 1, 4)]
    assert AuditEvent.objects.filter(action="setup.zones_imported").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_imported(zoned):
    before = _units()
    sheet = _xlsx(
        [
            ("S1", "C1", 1, 5),  # fine on its own
            ("S9", "C1", 6, 6),  # unknown school
            ("S1", "C7", 1, 1),  # unknown compound
            ("S1", "C1", 4, 8),  # overlaps row 2
            ("S1", "C2", 2, 2),  # overlaps S2's zone, which stays
            ("S1", "C1", "三", 9),  # not a number
            ("S1", "C1", 9, 12),  # C1 has ten buildings
            ("S2", "C1", 10, 9),  # range backwards
            ("", "C1", 1, 1),  # no school
        ]
    )
    report = services.import_zones(BUREAU, sheet, allowed_schools={"S1", "S2"})
    assert not report.ok
    lines = sorted({e.line for e in report.errors})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10]
    messages = {e.line: e.message for e in report.errors}
    assert "S9" in messages[3] and "C7" in messages[4] and "第2行" in messages[5]
    assert "现有片区" in messages[6] and "10 栋" in messages[8]
    assert _units() == before
    assert not AuditEvent.objects.filter(action="setup.zones_imported").exists()


def test_a_district_cannot_change_another_districts_zones(zoned):
    report = services.import_zones(BUREAU, _xlsx([("S2", "C1", 1, 2)]), allowed_schools={"S1"})
    assert not report.ok and "无权" in report.errors[0].message


def test_a_file_that_is_not_a_zone_sheet_is_refused(zoned):
    assert not services.import_zones(BUREAU, b"not a spreadsheet", allowed_schools={"S1"}).ok
    wrong_header = services.import_zones(
        BUREAU, _xlsx([("S1", "C1", 1, 2)], header=("a", "b", "c", "d")), allowed_schools={"S1"}
    )
    assert "表头" in wrong_header.errors[0].message


def test_reserved_quotas_fit_inside_the_seats(zoned):
    round_, first, _ = zoned
    plan = services.save_seat_plan(
        BUREAU, school=first, round_=round_, seats=40, reserved={"随迁子女": 10, "军人子女": 2}
    )
    assert plan.seats == 40 and plan.reserved == {"随迁子女": 10, "军人子女": 2}
    with pytest.raises(ValidationError) as error:
        services.save_seat_plan(BUREAU, school=first, round_=round_, seats=5, reserved={"a": 6})
    assert "reserved" in error.value.message_dict


def test_seats_are_fixed_once_the_admission_is_committed(zoned):
    round_, first, _ = zoned
    testing.verified_application(round_, first, 1)
    run = admissions.preview_admission(BUREAU, round_, sources=[onsite_source("n", "1", "1")])
    admissions.commit_admission(BUREAU, run)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.save_seat_plan(BUREAU, school=first, round_=round_, seats=9, reserved={})


def test_a_timetable_out_of_order_names_the_step(zoned):
    round_ = zoned[0]
    start = round_.registration_opens
    steps = [start, start + dt.timedelta(days=2), start + dt.timedelta(days=1)] + [
        start + dt.timedelta(days=5)
    ] * 2
    with pytest.raises(ValidationError) as error:
        services.update_timetable(BUREAU, round_, steps)
    assert "verification_ends" in error.value.message_dict
    good = [start + dt.timedelta(days=d) for d in (0, 1, 2, 3, 4)]
    changed = services.update_timetable(BUREAU, round_, good)
    assert changed.results_on == good[-1]


def test_the_admin_shows_reference_data_to_superusers_only(client, db):
    from sunshine.accounts.models import Role, User

    district = testing.district()
    bureau = User.objects.create_user("bureau", role=Role.CITY, is_staff=True)
    client.force_login(bureau)
    url = f"/admin/schools/district/{district.pk}/change/"
    assert client.get(url).status_code in {302, 403}
    root = User.objects.create_superuser("root", password=None)
    client.force_login(root)
    assert client.get(url).status_code == 200
