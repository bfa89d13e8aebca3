"""The three rates by district, school and day; exports that spreadsheets cannot abuse."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from sunshine import testing
from sunshine.admissions import services as admissions
from sunshine.admissions import statistics
from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.console import exports
from sunshine.console.tests.conftest import BUREAU
from sunshine.verification.models import CheckStatus, VerificationCheck


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(start):
    text = f'{start}HYPERLINK("http://example.invalid")'
    assert exports.escape_cell(text) == "'" + text


@given(st.text())
def test_other_text_and_numbers_pass_unchanged(text):
    escaped = exports.escape_cell(text)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        assert escaped == "'" + text
    else:
        assert escaped == text
    assert exports.escape_cell(-5) == -5


def test_xlsx_and_csv_files_hold_formulas_as_plain_text():
    rows = [("=1+1", "张三", 3), ("@SUM(A1)", "-2", -2)]
    book = load_workbook(io.BytesIO(exports.to_xlsx(("a", "b", "c"), rows, "t")))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["'=1+1", "张三", 3], ["'@SUM(A1)", "'-2", -2]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    text = exports.to_csv(("a", "b", "c"), rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["'=1+1", "张三", "3"],
        ["'@SUM(A1)", "'-2", "-2"],
    ]


@pytest.fixture
def decided(city):
    run = admissions.commit_admission(BUREAU, city.run())
    # Every check answered, except one application of the other district that waits for a
    # person; and one family only saved a draft.
    for application in city.applications:
        VerificationCheck.objects.create(
            application=application,
            check_name="identity",
            status=CheckStatus.VERIFIED,
            checked_at=run.created_at,
        )
    waiting = city.applications[-1]
    VerificationCheck.objects.create(
        application=waiting,
        check_name="hukou",
        status=CheckStatus.NEEDS_REVIEW,
        checked_at=run.created_at,
    )
    draft_child = testing.child()
    Application.objects.create(
        reference="DRAFT1",
        round=city.round,
        child=draft_child,
        status=Status.DRAFT,
        declaration_json="{}",
        zone_school=city.elsewhere,
    )
    return city, run


def test_rates_by_district_and_school_count_what_they_say(decided):
    by_district = {row.key: row for row in statistics.by_district(Application.objects.all())}
    home, other = by_district["430702"], by_district["430703"]
    # District A: five children, all submitted, verified and admitted (coordination included).
    assert (home.children, home.registered, home.submitted) == (5, 5, 5)
    assert (home.verified, home.decided, home.admitted) == (5, 5, 5)
    # District B: four children, one only a draft; one of three waits for a person.
    assert (other.children, other.registered, other.submitted) == (4, 3, 3)
    assert other.verified == 2 and other.verification_rate == pytest.approx(2 / 3)
    assert other.registration_rate == pytest.approx(3 / 4)
    by_school = {row.key: row for row in statistics.by_school(Application.objects.all())}
    assert by_school["S1"].submitted == 5 and by_school["S3"].submitted == 3
    days = statistics.by_day(Application.objects.all())
    assert sum(row.submitted for row in days) == 8


def test_each_role_sees_rates_of_its_own_schools_only(client, decided):
    city, _ = decided
    client.force_login(city.users["school"])
    page = client.get(reverse("console:statistics")).content.decode()
    assert "测试学校S1" in page and "测试学校S3" not in page
    client.force_login(city.users["observer"])
    page = client.get(reverse("console:statistics")).content.decode()
    assert "测试学校S3" in page and "<svg" in page
    assert city.applications[0].reference not in page
    csv_text = client.get(reverse("console:statistics_export", args=["school", "csv"]))
    rows = list(csv.reader(io.StringIO(csv_text.content.decode("utf-8-sig"))))
    assert rows[0][0] == "分组" and {r[1] for r in rows[1:]} == {"S1", "S3"}


def test_a_personal_export_needs_a_reason_and_is_logged(client, decided):
    city, _ = decided
    client.force_login(city.users["school"])
    url = reverse("console:exports")
    refused = client.post(url, {"kind": "admitted", "format": "csv", "reason": ""})
    assert refused.status_code == 200 and "text/csv" not in refused["Content-Type"]
    assert not AuditEvent.objects.filter(action="export.personal_data").exists()
    sent = client.post(url, {"kind": "admitted", "format": "xlsx", "reason": "编班前核对名单"})
    assert sent["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(sent.content)).active
    schools = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert schools == {"S1"}  # the school's own pupils only
    event = AuditEvent.objects.get(action="export.personal_data")
    assert event.data["reason"] == "编班前核对名单" and event.data["rows"] == 2
    assert event.actor == "school" and event.data["scope"] == "school:S1"


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, decided):
    city, _ = decided
    child = city.applications[0].child
    child.name = '=HYPERLINK("x")'
    child.save()
    client.force_login(city.users["city"])
    sent = client.post(
        reverse("console:exports"), {"kind": "admitted", "format": "csv", "reason": "核对名单"}
    )
    text = sent.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
