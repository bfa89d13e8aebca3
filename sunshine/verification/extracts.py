"""Department extracts as files (CSV or XLSX): read, validated row by row, into records.

The first row names the columns, by field name (``id_number``) or by the
Chinese label departments use (身份证号). Every row is checked; a file with
any problem is refused whole, with a report naming the row (as numbered in
the file, the header being row 1), the column and what is wrong, in Chinese.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.engine import idnumber
from sunshine.engine import records as shapes
from sunshine.engine.checks.certificate import parse_certificate_no
from sunshine.verification.models import RecordKind
from sunshine.verification.records import KINDS, canonical_key

Cell = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"第{self.row}行 {self.column}：{self.message}"
            if self.column
            else (f"第{self.row}行：{self.message}")
        )


class ExtractRejected(ValidationError):
    """A refused extract; ``problems`` lists every row's problem."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__({"rows": [str(problem) for problem in self.problems]})


class _Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[Cell], Any]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    parse: Parser
    required: bool = True


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            raise _Bad("应为文本")
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        raise _Bad("应为文本，不是日期")
    return str(value).strip()


def text(value: Cell) -> str:
    found = _text(value)
    if not found:
        raise _Bad("不能为空")
    return found


def id_number(value: Cell) -> str:
    if isinstance(value, float):
        # A spreadsheet that stored the number as a number has already lost digits.
        raise _Bad("身份证号码应以文本格式保存（数字格式会丢失末位）")
    try:
        return idnumber.parse(text(value)).value
    except idnumber.InvalidIdNumber as error:
        raise _Bad(error.problem.message) from None


def optional_id_number(value: Cell) -> str | None:
    return id_number(value) if _text(value) else None


def id_numbers(value: Cell) -> tuple[str, ...]:
    parts = [part for part in _split(text(value)) if part]
    return tuple(id_number(part) for part in parts)


def date(value: Cell) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _Bad("日期格式应为“2024-03-01”") from None


def whole_number(value: Cell) -> int:
    if isinstance(value, bool):
        raise _Bad("应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        try:
            number = int(text(value))
        except ValueError:
            raise _Bad("应为整数") from None
    if number < 0:
        raise _Bad("不能为负数")
    return number


def certificate(value: Cell) -> str:
    raw = text(value)
    if parse_certificate_no(raw, reference_date=timezone.localdate()) is None:
        raise _Bad("不动产权证号格式不正确，应形如“湘(2023)常德市不动产权第0012345号”")
    return raw


def owners(value: Cell) -> tuple[shapes.PropertyOwner, ...]:
    """``身份证号:份额`` pairs separated by semicolons; shares add up to 100."""
    found = []
    for part in _split(text(value)):
        holder, _, share = part.replace("：", ":").partition(":")
        try:
            percent = int(share) if share.strip() else 100
        except ValueError:
            raise _Bad(f"份额“{share}”应为整数") from None
        found.append(shapes.PropertyOwner(id_number(holder), percent))
    if not found:
        raise _Bad("不能为空")
    if sum(owner.share_percent for owner in found) != 100:
        raise _Bad("各权利人份额之和应为100")
    return tuple(found)


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace("；", ";").replace("，", ";").split(";")]


def use_or_residential(value: Cell) -> str:
    return _text(value) or "住宅"


COLUMNS: dict[RecordKind, tuple[Column, ...]] = {
    RecordKind.HUKOU: (
        Column("id_number", "身份证号", id_number),
        Column("name", "姓名", text),
        Column("address", "户籍地址", text),
        Column("move_in_date", "迁入日期", date),
        Column("household_head_id", "户主身份证号", id_number),
        Column("relation_to_head", "与户主关系", text),
    ),
    RecordKind.BIRTH: (
        Column("child_id_number", "儿童身份证号", id_number),
        Column("father_id_number", "父亲身份证号", optional_id_number, required=False),
        Column("mother_id_number", "母亲身份证号", optional_id_number, required=False),
    ),
    RecordKind.PROPERTY: (
        Column("certificate_no", "不动产权证号", certificate),
        Column("owners", "权利人及份额", owners),
        Column("address", "坐落", text),
        Column("registration_date", "登记日期", date),
        Column("use", "用途", use_or_residential, required=False),
    ),
    RecordKind.HOUSING_CONTRACT: (
        Column("contract_no", "合同编号", text),
        Column("buyer_ids", "买受人身份证号", id_numbers),
        Column("address", "房屋坐落", text),
        Column("signed_date", "签约日期", date),
    ),
    RecordKind.RENTAL: (
        Column("registration_no", "备案编号", text),
        Column("tenant_id", "承租人身份证号", id_number),
        Column("address", "房屋地址", text),
        Column("start_date", "起租日期", date),
        Column("end_date", "止租日期", date),
    ),
    RecordKind.SOCIAL_INSURANCE: (
        Column("id_number", "身份证号", id_number),
        Column("months_paid", "累计缴费月数", whole_number),
        Column("employer", "参保单位", text),
    ),
    RecordKind.RESIDENCE_PERMIT: (
        Column("permit_no", "居住证号", text),
        Column("id_number", "持证人身份证号", id_number),
        Column("address", "居住地址", text),
        Column("issued_date", "签发日期", date),
        Column("valid_until", "有效期至", date),
    ),
}


def read_rows(path: Path | str, content: bytes | None = None) -> Iterator[list[Cell]]:
    """The rows of a CSV or XLSX file (chosen by its content, not its name)."""
    data = content if content is not None else Path(path).read_bytes()
    if data[:4] == b"PK\x03\x04":  # an XLSX file is a ZIP archive (ECMA-376 Part 2)
        yield from _xlsx_rows(data)
    else:
        yield from _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[list[Cell]]:
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved on Chinese Windows write GB 18030 (GBK) by default.
        decoded = data.decode("gb18030")
    yield from ([*row] for row in csv.reader(io.StringIO(decoded)))


def _xlsx_rows(data: bytes) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def parse_extract(kind: RecordKind, rows: Iterator[list[Cell]]) -> list[Any]:
    """The file's records, or ExtractRejected naming every problem."""
    columns = COLUMNS[kind]
    header = next(rows, None)
    if header is None:
        raise ExtractRejected([RowProblem(1, "", "文件为空")])
    positions, problems = _positions(columns, header)
    if problems:
        raise ExtractRejected(problems)
    spec = KINDS[kind]
    parsed: list[Any] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        values, row_problems = _values(columns, positions, row, number)
        problems += row_problems
        if row_problems:
            continue
        key = canonical_key(kind, str(values[spec.key_field]))
        if key in seen:
            label = next(c.label for c in columns if c.name == spec.key_field)
            problems.append(RowProblem(number, label, f"与第{seen[key]}行重复"))
            continue
        seen[key] = number
        parsed.append(spec.shape(**values))
    if not parsed and not problems:
        problems.append(RowProblem(2, "", "文件没有数据行"))
    if problems:
        raise ExtractRejected(problems)
    return parsed


def _positions(
    columns: Sequence[Column], header: Sequence[Cell]
) -> tuple[dict[str, int], list[RowProblem]]:
    names = [str(cell or "").strip() for cell in header]
    positions: dict[str, int] = {}
    problems = []
    for column in columns:
        for index, name in enumerate(names):
            if name in (column.name, column.label):
                positions[column.name] = index
                break
        else:
            if column.required:
                problems.append(RowProblem(1, column.label, f"缺少“{column.label}”列"))
    return positions, problems


def _values(
    columns: Sequence[Column], positions: dict[str, int], row: Sequence[Cell], number: int
) -> tuple[dict[str, Any], list[RowProblem]]:
    values: dict[str, Any] = {}
    problems = []
    for column in columns:
        index = positions.get(column.name)
        cell = row[index] if index is not None and index < len(row) else None
        try:
            values[column.name] = column.parse(cell)
        except _Bad as bad:
            problems.append(RowProblem(number, column.label, bad.message))
    return values, problems
