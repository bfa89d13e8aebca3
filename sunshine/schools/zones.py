"""Catchment zones (划片) as a spreadsheet: reading, checking row by row, the template.

One row is one address unit: a school, a residential compound and a range of its
buildings. A file replaces the zones of every school it names, so a bureau can
re-import a corrected file; schools it does not name keep their zones.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADERS = ("学校代码", "小区编号", "起始楼栋", "结束楼栋")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class ZoneRow:
    line: int  # the spreadsheet's row number, as the user sees it
    school_code: str
    compound_code: str
    building_from: int
    building_to: int


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ZoneSheet:
    rows: list[ZoneRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class UnreadableSheet(ValueError):
    """The upload is not a spreadsheet with the expected header."""


def read_sheet(content: bytes) -> ZoneSheet:
    """Rows of the first worksheet, with a message for every cell that is not usable."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableSheet("文件不是有效的 XLSX 表格") from error
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    names = tuple(_text(cell) for cell in (header or ())[: len(HEADERS)])
    if names != HEADERS:
        raise UnreadableSheet(f"第1行应为表头：{'、'.join(HEADERS)}")
    parsed = ZoneSheet()
    for line, cells in enumerate(lines, start=2):
        if line > MAX_ROWS + 1:
            raise UnreadableSheet(f"一次最多导入 {MAX_ROWS} 行")
        values = [*cells[: len(HEADERS)], *[None] * len(HEADERS)][: len(HEADERS)]
        if all(_text(v) == "" for v in values):
            continue
        _parse_row(line, values, parsed)
    book.close()
    return parsed


def _parse_row(line: int, values: list[object], parsed: ZoneSheet) -> None:
    school_code, compound_code = _text(values[0]), _text(values[1])
    problems = []
    if not school_code:
        problems.append(RowError(line, HEADERS[0], "学校代码不能为空"))
    if not compound_code:
        problems.append(RowError(line, HEADERS[1], "小区编号不能为空"))
    first = _whole_number(values[2])
    last = _whole_number(values[3])
    if first is None:
        problems.append(RowError(line, HEADERS[2], "起始楼栋应为正整数"))
    if last is None:
        problems.append(RowError(line, HEADERS[3], "结束楼栋应为正整数"))
    if first is not None and last is not None and first > last:
        problems.append(RowError(line, HEADERS[3], "结束楼栋不能小于起始楼栋"))
    if problems:
        parsed.errors.extend(problems)
        return
    assert first is not None and last is not None
    parsed.rows.append(ZoneRow(line, school_code, compound_code, first, last))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if number >= 1 else None


@dataclass(frozen=True)
class KnownSchool:
    level: str
    allowed: bool  # whether the importing user may change this school's zone


def check_rows(
    rows: Iterable[ZoneRow],
    *,
    schools: Mapping[str, KnownSchool],
    buildings: Mapping[str, int],
    kept_units: Mapping[str, Collection[tuple[str, int, int, str]]],
) -> list[RowError]:
    """Every row names a school the user may change and existing buildings; no overlaps.

    ``buildings`` is compound code -> number of buildings; ``kept_units`` is level ->
    (compound, from, to, school) of the zones the import leaves in place.
    """
    errors: list[RowError] = []
    claimed: dict[tuple[str, str], list[tuple[int, int, str, int]]] = defaultdict(list)
    for level, units in kept_units.items():
        for compound, first, last, school in units:
            claimed[(level, compound)].append((first, last, school, 0))
    for row in rows:
        school = schools.get(row.school_code)
        if school is None:
            errors.append(RowError(row.line, HEADERS[0], f"未知的学校代码 {row.school_code}"))
            continue
        if not school.allowed:
            errors.append(RowError(row.line, HEADERS[0], f"无权修改学校 {row.school_code} 的片区"))
            continue
        count = buildings.get(row.compound_code)
        if count is None:
            errors.append(RowError(row.line, HEADERS[1], f"未知的小区编号 {row.compound_code}"))
            continue
        if row.building_to > count:
            errors.append(
                RowError(row.line, HEADERS[3], f"小区 {row.compound_code} 只有 {count} 栋楼")
            )
            continue
        overlap = _overlap(claimed[(school.level, row.compound_code)], row)
        if overlap is not None:
            errors.append(RowError(row.line, HEADERS[2], overlap))
            continue
        claimed[(school.level, row.compound_code)].append(
            (row.building_from, row.building_to, row.school_code, row.line)
        )
    return errors


def _overlap(units: list[tuple[int, int, str, int]], row: ZoneRow) -> str | None:
    for first, last, school, line in units:
        if first <= row.building_to and row.building_from <= last:
            where = f"第{line}行" if line else "现有片区"
            return (
                f"楼栋 {row.building_from}–{row.building_to} 与{where}"
                f"（学校 {school}，楼栋 {first}–{last}）重叠"
            )
    return None


def template_workbook() -> bytes:
    """An empty sheet with the header and one example row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "片区"
    sheet.append(list(HEADERS))
    sheet.append(["S0001", "C00001", 1, 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
