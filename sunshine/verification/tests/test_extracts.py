"""Department extracts from CSV and XLSX: whole or nothing, with a report per bad row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from sunshine.audit.models import AuditEvent
from sunshine.engine.idnumber import compose
from sunshine.engine.records import HukouRecord, PropertyOwner, PropertyRecord
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.extracts import ExtractRejected
from sunshine.verification.models import DepartmentExtract, DepartmentRecord, RecordKind
from sunshine.verification.services import import_extract_file
from sunshine.verification.tests.builders import BUREAU

pytestmark = pytest.mark.django_db

FATHER = compose("430702", dt.date(1988, 1, 1), 11)
CHILD = compose("430702", dt.date(2018, 3, 1), 13)
ADDRESS = "常德市武陵区金色家园3栋2单元501室"
HUKOU_HEADER = "身份证号,姓名,户籍地址,迁入日期,户主身份证号,与户主关系"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def good_hukou_csv() -> bytes:
    return csv_bytes(
        HUKOU_HEADER,
        f"{FATHER},李明,{ADDRESS},2019-05-01,{FATHER},户主",
        f"{CHILD},李华,{ADDRESS},2019/05/01,{FATHER},子",
    )


def rejection(kind: RecordKind, content: bytes) -> list[tuple[int, str]]:
    with pytest.raises(ExtractRejected) as refused:
        import_extract_file(BUREAU, kind, "extract.csv", content=content)
    return [(problem.row, problem.column) for problem in refused.value.problems]


def test_a_good_csv_is_imported_and_answers_questions():
    extract = import_extract_file(BUREAU, RecordKind.HUKOU, "hukou.csv", content=good_hukou_csv())
    assert extract.row_count == 2
    found = ExtractRecords().hukou(CHILD)
    assert found == HukouRecord(CHILD, "李华", ADDRESS, dt.date(2019, 5, 1), FATHER, "子")
    assert AuditEvent.objects.filter(action="department.extract_imported").count() == 1


def test_a_csv_with_bad_rows_is_refused_whole_naming_each_row_and_column():
    bad_check_digit = CHILD[:-1] + ("0" if CHILD[-1] != "0" else "1")
    content = csv_bytes(
        HUKOU_HEADER,
        f"{FATHER},李明,{ADDRESS},2019-05-01,{FATHER},户主",  # row 2: fine
        f"{bad_check_digit},李华,{ADDRESS},2019-05-01,{FATHER},子",  # row 3: check digit
        f"{compose('430702', dt.date(2016, 1, 1), 15)},,{ADDRESS},2019-13-01,{FATHER},女",  # row 4
        f"{FATHER},李明,{ADDRESS},2019-05-01,{FATHER},户主",  # row 5: same person as row 2
    )
    assert rejection(RecordKind.HUKOU, content) == [
        (3, "身份证号"),
        (4, "姓名"),
        (4, "迁入日期"),
        (5, "身份证号"),
    ]
    assert not DepartmentRecord.objects.exists()
    assert not DepartmentExtract.objects.exists()


def test_the_report_is_in_chinese_and_says_what_is_wrong():
    content = csv_bytes(HUKOU_HEADER, f"{FATHER},李明,{ADDRESS},昨天,{FATHER},户主")
    with pytest.raises(ExtractRejected) as refused:
        import_extract_file(BUREAU, RecordKind.HUKOU, "x.csv", content=content)
    assert refused.value.messages == ["第2行 迁入日期：日期格式应为“2024-03-01”"]


def test_a_missing_column_refuses_the_file_before_any_row():
    content = csv_bytes(
        "身份证号,姓名,户籍地址,迁入日期,户主身份证号",
        f"{FATHER},李明,{ADDRESS},2019-05-01,{FATHER}",
    )
    assert rejection(RecordKind.HUKOU, content) == [(1, "与户主关系")]


def test_field_names_work_as_headers_too_and_a_gb18030_file_is_read():
    content = csv_bytes(
        "id_number,name,address,move_in_date,household_head_id,relation_to_head",
        f"{FATHER},李明,{ADDRESS},2019-05-01,{FATHER},户主",
        encoding="gb18030",
    )
    import_extract_file(BUREAU, RecordKind.HUKOU, "gbk.csv", content=content)
    assert ExtractRecords().hukou(FATHER).name == "李明"


def test_an_empty_file_and_a_file_with_only_a_header_are_refused():
    assert rejection(RecordKind.HUKOU, b"") == [(1, "")]
    assert rejection(RecordKind.HUKOU, csv_bytes(HUKOU_HEADER)) == [(2, "")]


def test_property_owner_shares_must_add_up_and_certificates_must_be_well_formed():
    header = "不动产权证号,权利人及份额,坐落,登记日期,用途"
    content = csv_bytes(
        header,
        f"湘(2020)常德市不动产权第0000001号,{FATHER}:50;{CHILD}:50,{ADDRESS},2020-01-02,住宅",
        f"湘(2020)常德市不动产权第0000002号,{FATHER}:60;{CHILD}:30,{ADDRESS},2020-01-02,住宅",
        f"常德房权证第12345号,{FATHER}:100,{ADDRESS},2020-01-02,住宅",
    )
    assert rejection(RecordKind.PROPERTY, content) == [(3, "权利人及份额"), (4, "不动产权证号")]


def test_a_later_extract_replaces_the_records_it_holds_again():
    import_extract_file(BUREAU, RecordKind.HUKOU, "old.csv", content=good_hukou_csv())
    moved = csv_bytes(
        HUKOU_HEADER, f"{CHILD},李华,常德市武陵区丹阳小区1栋1单元101室,2023-01-01,{FATHER},子"
    )
    import_extract_file(BUREAU, RecordKind.HUKOU, "new.csv", content=moved)
    assert ExtractRecords().hukou(CHILD).move_in_date == dt.date(2023, 1, 1)
    assert ExtractRecords().hukou(FATHER) is not None
    assert DepartmentRecord.objects.filter(kind=RecordKind.HUKOU).count() == 2


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_file_with_real_dates_and_numbers_is_imported():
    content = xlsx(
        [
            ["不动产权证号", "权利人及份额", "坐落", "登记日期"],
            [
                "湘(2021)常德市不动产权第0000003号",
                f"{FATHER}:100",
                ADDRESS,
                dt.datetime(2021, 4, 5),
            ],
        ]
    )
    import_extract_file(BUREAU, RecordKind.PROPERTY, "property.xlsx", content=content)
    assert ExtractRecords().property("湘(2021)常德市不动产权第0000003号") == PropertyRecord(
        "湘(2021)常德市不动产权第0000003号",
        (PropertyOwner(FATHER, 100),),
        ADDRESS,
        dt.date(2021, 4, 5),
        "住宅",
    )


def test_an_xlsx_file_with_bad_rows_is_refused_whole():
    content = xlsx(
        [
            ["身份证号", "累计缴费月数", "参保单位"],
            [FATHER, 24, "常德市某公司"],
            [430702198801010000.0, 12, "某公司"],  # stored as a number: digits lost
            [CHILD, -3, "某公司"],
            [CHILD, "十二", None],
        ]
    )
    assert rejection(RecordKind.SOCIAL_INSURANCE, content) == [
        (3, "身份证号"),
        (4, "累计缴费月数"),
        (5, "累计缴费月数"),
        (5, "参保单位"),
    ]
    assert not DepartmentRecord.objects.exists()


def test_the_command_imports_a_file_and_refuses_a_bad_one(tmp_path, capsys):
    good = tmp_path / "hukou.csv"
    good.write_bytes(good_hukou_csv())
    call_command("import_extract", "--kind", "hukou", str(good))
    assert "已导入2条记录" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["身份证号", "姓名"], ["123", "某人"]]))
    with pytest.raises(CommandError, match="整体拒收"):
        call_command("import_extract", "--kind", "hukou", str(bad))
    assert "第1行 户籍地址：缺少“户籍地址”列" in capsys.readouterr().err
    assert DepartmentRecord.objects.count() == 2
