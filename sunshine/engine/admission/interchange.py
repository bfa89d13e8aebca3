"""The published interchange files (docs/admission-engine.md), read and written fast.

* ``schools.csv``       ``school_id,capacity``
* ``students.csv``      ``student_id,tiebreak``
* ``applications.csv``  ``student_id,rank,school_id,priority[,tiebreak]``
* ``assignments.csv``   ``student_id,school_id`` (school empty when unplaced)

UTF-8, a header line, comma-separated, no quoting: ids contain no comma, quote,
line break or NUL. Integers are decimal with an optional minus sign and at most 18
digits. Lines end in LF or CRLF. A file is parsed as one NumPy byte array, so a
city of a million children reads in about a second; every error names the file,
the line and the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np
import numpy.typing as npt

from sunshine.engine.admission.instance import Instance, IntArray
from sunshine.engine.admission.model import Problem, ProblemError

SCHOOLS_HEADER = ("school_id", "capacity")
STUDENTS_HEADER = ("student_id", "tiebreak")
APPLICATIONS_HEADER = ("student_id", "rank", "school_id", "priority")
APPLICATIONS_HEADER_MULTIPLE = (*APPLICATIONS_HEADER, "tiebreak")
ASSIGNMENTS_HEADER = ("student_id", "school_id")

_COMMA, _NEWLINE, _QUOTE, _MINUS, _ZERO = 44, 10, 34, 45, 48
_MAX_DIGITS = 18

ByteArray = npt.NDArray[np.uint8]


class InterchangeError(ValueError):
    """A file does not follow the format; says which file, line and field."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        where = file
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field}"
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field = file, line, field


class IdList(Sequence[str]):
    """Ids held as one NumPy bytes array, decoded only when read."""

    def __init__(self, raw: npt.NDArray[np.bytes_]) -> None:
        self.raw = raw

    def __len__(self) -> int:
        return int(self.raw.size)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [bytes(item).decode() for item in self.raw[index]]
        return bytes(self.raw[index]).decode()

    def __iter__(self) -> Iterator[str]:
        return (bytes(item).decode() for item in self.raw)


@dataclass(frozen=True, eq=False)
class _Table:
    """A parsed file: field ``c`` of data row ``r`` is ``buf[starts[r, c]:ends[r, c]]``."""

    name: str
    buf: ByteArray
    starts: IntArray
    ends: IntArray

    @property
    def rows(self) -> int:
        return int(self.starts.shape[0])

    def line(self, row: int) -> int:
        return row + 2  # the header is line 1

    def text(self, row: int, column: int) -> str:
        raw = self.buf[self.starts[row, column] : self.ends[row, column]].tobytes()
        return raw.decode(errors="replace")


def _read_table(path: Path, headers: Sequence[tuple[str, ...]]) -> tuple[_Table, tuple[str, ...]]:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InterchangeError(name, None, None, f"cannot read: {error.strerror}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            line = data[: data.index(b"\r")].count(b"\n") + 1
            raise InterchangeError(name, line, None, "carriage return inside a line")
    if data and not data.endswith(b"\n"):
        data += b"\n"
    header_end = data.find(b"\n")
    header = tuple(data[: max(header_end, 0)].decode(errors="replace").split(","))
    if header_end < 0 or header not in headers:
        expected = " or ".join(",".join(h) for h in headers)
        raise InterchangeError(name, 1, None, f"header must be {expected!r}, not {header!r}")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise InterchangeError(name, line, None, "not valid UTF-8") from None
    for byte, what in ((b'"', "quotes are not part of the format"), (b"\0", "NUL byte")):
        found = data.find(byte)
        if found >= 0:
            raise InterchangeError(name, data[:found].count(b"\n") + 1, None, what)
    buf = np.frombuffer(data, dtype=np.uint8)
    body = buf[header_end + 1 :]
    separators = np.flatnonzero((body == _COMMA) | (body == _NEWLINE)) + (header_end + 1)
    width = len(header)
    is_newline = buf[separators] == _NEWLINE
    rows = separators.size // width
    if (
        separators.size % width
        or int(np.count_nonzero(is_newline)) != rows
        or not is_newline[width - 1 :: width].all()
    ):
        _raise_field_count(name, separators, is_newline, header_end, header)
    ends = separators.reshape(-1, width).astype(np.int64)
    starts = np.empty_like(ends)
    starts.ravel()[0:1] = header_end + 1
    starts.ravel()[1:] = separators[:-1] + 1
    return _Table(name, buf, starts, ends), header


def _raise_field_count(
    name: str,
    separators: IntArray,
    is_newline: npt.NDArray[np.bool_],
    header_end: int,
    header: tuple[str, ...],
) -> None:
    width = len(header)
    line_of: IntArray = np.cumsum(is_newline, dtype=np.int64) - is_newline
    commas = np.bincount(line_of[~is_newline], minlength=int(is_newline.sum()))
    bad = int(np.flatnonzero(commas != width - 1)[0])
    found = int(commas[bad]) + 1
    line_ends = np.append(header_end, separators[is_newline])
    if found == 1 and line_ends[bad + 1] == line_ends[bad] + 1:
        message = "empty line"
    else:
        message = f"{found} field{'s' if found > 1 else ''}, expected {width}"
    raise InterchangeError(name, bad + 2, None, f"{message} ({','.join(header)})")


def _integers(table: _Table, column: int, field: str) -> IntArray:
    buf, starts, ends = table.buf, table.starts[:, column], table.ends[:, column]
    has_sign = np.zeros(starts.size, dtype=np.bool_)
    nonempty = ends > starts
    has_sign[nonempty] = buf[starts[nonempty]] == _MINUS
    first_digit = starts + has_sign
    digits = ends - first_digit
    bad = (digits <= 0) | (digits > _MAX_DIGITS)
    value = np.zeros(starts.size, dtype=np.int64)
    last_byte = buf.size - 1
    for i in range(int(digits.max(initial=0))):
        active = digits > i
        digit = buf[np.minimum(first_digit + i, last_byte)].astype(np.int64) - _ZERO
        bad |= active & ((digit < 0) | (digit > 9))
        value = np.where(active, value * 10 + digit, value)
    if bad.any():
        row = int(np.argmax(bad))
        text = table.text(row, column)
        raise InterchangeError(table.name, table.line(row), field, f"{text!r} is not an integer")
    value[has_sign] *= -1
    return value


def _id_words(
    table: _Table, column: int, field: str, allow_empty: bool = False
) -> npt.NDArray[np.uint64]:
    """Each id as big-endian 64-bit words (zero padded), which sort like the bytes."""
    buf, starts, ends = table.buf, table.starts[:, column], table.ends[:, column]
    lengths = ends - starts
    if not allow_empty and lengths.size and int(lengths.min()) == 0:
        row = int(np.argmin(lengths))
        raise InterchangeError(table.name, table.line(row), field, "empty id")
    width = -(-max(int(lengths.max(initial=0)), 1) // 8) * 8
    matrix = np.zeros((starts.size, width), dtype=np.uint8)
    last_byte = buf.size - 1
    for i in range(int(lengths.max(initial=0))):
        matrix[:, i] = np.where(lengths > i, buf[np.minimum(starts + i, last_byte)], 0)
    words: npt.NDArray[np.uint64] = matrix.view(">u8").astype(np.uint64)
    return words


def _row_order(words: npt.NDArray[np.uint64]) -> IntArray:
    """Row indices sorting ``words`` in byte order of the ids."""
    if words.shape[1] == 1:
        order: IntArray = np.argsort(words[:, 0], kind="stable").astype(np.int64)
        return order
    return np.lexsort(words.T[::-1]).astype(np.int64)


def _hash(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """One 64-bit value per id: the id itself when it fits in 8 bytes, else a mix."""
    hashed = words[:, 0].copy()
    for column in range(1, words.shape[1]):
        hashed *= np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, an odd multiplier
        hashed ^= words[:, column]
    return hashed


def _words_to_ids(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.bytes_]:
    raw = words.astype(">u8").view(np.uint8).reshape(words.shape[0], -1)
    ids: npt.NDArray[np.bytes_] = np.ascontiguousarray(raw).view(f"S{raw.shape[1]}").ravel()
    return ids


@dataclass(frozen=True, eq=False)
class _Ids:
    """Distinct ids of a key file, sorted, and each row's index among them."""

    sorted_ids: npt.NDArray[np.bytes_]
    row_index: IntArray
    words: npt.NDArray[np.uint64]


def _key_column(table: _Table, field: str) -> _Ids:
    words = _id_words(table, 0, field)
    order = _row_order(words)
    sorted_words = words[order]
    same = (sorted_words[1:] == sorted_words[:-1]).all(axis=1)
    if same.any():
        repeated = int(np.argmax(same))
        first, second = sorted((int(order[repeated]), int(order[repeated + 1])))
        raise InterchangeError(
            table.name,
            table.line(second),
            field,
            f"{table.text(second, 0)!r} already on line {table.line(first)}",
        )
    row_index = np.empty(order.size, dtype=np.int64)
    row_index[order] = np.arange(order.size, dtype=np.int64)
    return _Ids(_words_to_ids(sorted_words), row_index, sorted_words)


def _lookup(key: _Ids, table: _Table, column: int, field: str, what: str) -> IntArray:
    """Index into ``key`` of each row's id; unknown ids are an error.

    Ids are matched by a 64-bit value (exact for ids of up to 8 bytes) and then
    compared in full; consecutive rows of one child are looked up once.
    """
    words = _id_words(table, column, field)
    width = max(words.shape[1], key.words.shape[1])
    key_words = _widen(key.words, width)
    words = _widen(words, width)
    key_hash = _hash(key_words)
    by_hash = np.argsort(key_hash, kind="stable")
    sorted_hash = key_hash[by_hash]
    row_hash = _hash(words)
    run_start = np.ones(row_hash.size, dtype=np.bool_)
    run_start[1:] = row_hash[1:] != row_hash[:-1]
    heads = row_hash[run_start]
    slot = np.minimum(np.searchsorted(sorted_hash, heads), max(sorted_hash.size - 1, 0))
    if sorted_hash.size:
        head_index = by_hash[slot]
        index: IntArray = head_index[np.cumsum(run_start) - 1]
        known = (key_words[index] == words).all(axis=1)
    else:
        index = np.zeros(row_hash.size, dtype=np.int64)
        known = np.zeros(row_hash.size, dtype=np.bool_)
    if not known.all():
        # Either a truly unknown id, or two long ids sharing a hash: decide exactly.
        for row in np.flatnonzero(~known).tolist():
            matches = np.flatnonzero((key_words == words[row]).all(axis=1))
            if not matches.size:
                text = table.text(row, column)
                raise InterchangeError(
                    table.name, table.line(row), field, f"unknown {what} {text!r}"
                )
            index[row] = matches[0]
    return index


def _widen(words: npt.NDArray[np.uint64], width: int) -> npt.NDArray[np.uint64]:
    if words.shape[1] == width:
        return words
    wide = np.zeros((words.shape[0], width), dtype=np.uint64)
    wide[:, : words.shape[1]] = words
    return wide


def _bits(value: int) -> int:
    return max(value, 1).bit_length()


def read_instance(schools: Path, students: Path, applications: Path) -> Instance:
    """Read the three input files; raises ``InterchangeError``."""
    school_table, _ = _read_table(schools, [SCHOOLS_HEADER])
    school_ids = _key_column(school_table, "school_id")
    capacity = np.empty(school_table.rows, dtype=np.int64)
    capacity[school_ids.row_index] = _integers(school_table, 1, "capacity")
    if (capacity < 0).any():
        row = int(np.argmax(capacity[school_ids.row_index] < 0))
        raise InterchangeError(school_table.name, school_table.line(row), "capacity", "negative")

    student_table, _ = _read_table(students, [STUDENTS_HEADER])
    student_ids = _key_column(student_table, "student_id")
    tiebreak = np.empty(student_table.rows, dtype=np.int64)
    tiebreak[student_ids.row_index] = _integers(student_table, 1, "tiebreak")

    table, header = _read_table(applications, [APPLICATIONS_HEADER, APPLICATIONS_HEADER_MULTIPLE])
    student = _lookup(student_ids, table, 0, "student_id", "student")
    rank = _integers(table, 1, "rank")
    school = _lookup(school_ids, table, 2, "school_id", "school")
    priority = _integers(table, 3, "priority")
    number = _integers(table, 4, "tiebreak") if len(header) == 5 else tiebreak[student]

    order = _child_rank_order(table, student, rank, school)
    counts = np.bincount(student, minlength=student_table.rows)
    offsets = np.zeros(student_table.rows + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Instance(
        student_ids=IdList(student_ids.sorted_ids),
        school_ids=IdList(school_ids.sorted_ids),
        capacity=capacity,
        offsets=offsets,
        app_school=school[order],
        app_priority=priority[order],
        app_number=number[order],
    )


def _child_rank_order(
    table: _Table, student: IntArray, rank: IntArray, school: IntArray
) -> IntArray:
    """Rows ordered by (child, rank); ranks must run 1..k and schools differ per child."""
    rows = student.size
    if (rank < 1).any():
        row = int(np.argmax(rank < 1))
        raise InterchangeError(table.name, table.line(row), "rank", "ranks start at 1")
    row_bits, student_bits = _bits(rows), _bits(int(student.max(initial=0)) + 1)
    rank_bits = _bits(int(rank.max(initial=0)))
    packed = (student << (rank_bits + row_bits)) | (rank << row_bits) | np.arange(rows)
    if student_bits + rank_bits + row_bits > 63:
        order = np.lexsort((rank, student)).astype(np.int64)
    else:
        packed.sort()
        order = packed & ((1 << row_bits) - 1)
    sorted_student = student[order]
    first = np.ones(rows, dtype=np.bool_)
    first[1:] = sorted_student[1:] != sorted_student[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(rows), 0))
    expected_rank = np.arange(rows) - group_start + 1
    wrong = rank[order] != expected_rank
    if wrong.any():
        row = int(order[int(np.argmax(wrong))])
        raise InterchangeError(
            table.name,
            table.line(row),
            "rank",
            f"{table.text(row, 1)!r}: a child's ranks must be 1, 2, 3 … without gaps or repeats",
        )
    pairs = np.sort(student * (int(school.max(initial=0)) + 1) + school)
    if rows and (pairs[1:] == pairs[:-1]).any():
        duplicate = int(pairs[1:][pairs[1:] == pairs[:-1]][0])
        row = int(np.flatnonzero(student * (int(school.max()) + 1) + school == duplicate)[1])
        raise InterchangeError(
            table.name, table.line(row), "school_id", "school listed twice by this child"
        )
    return order


def write_assignments(path: Path, instance: Instance, admitted_app: IntArray) -> None:
    """Write ``assignments.csv``: one row per child, in id order."""
    school = np.where(admitted_app >= 0, instance.app_school[np.maximum(admitted_app, 0)], -1)
    students = _as_bytes(instance.student_ids)
    schools = np.append(_as_bytes(instance.school_ids), np.array([b""], dtype="S1"))
    columns = [students, schools[school]]
    header = ",".join(ASSIGNMENTS_HEADER).encode() + b"\n"
    path.write_bytes(header + _join_rows(columns))


def _as_bytes(ids: Sequence[str]) -> npt.NDArray[np.bytes_]:
    if isinstance(ids, IdList):
        return ids.raw
    return (
        np.array([i.encode() for i in ids], dtype=np.bytes_)
        if len(ids)
        else np.array([], dtype="S1")
    )


def _join_rows(columns: Sequence[npt.NDArray[np.bytes_]]) -> bytes:
    """Rows of the byte-string columns joined by commas and ended by LF, built in bulk."""
    rows = columns[0].size
    lengths = [np.char.str_len(column).astype(np.int64) for column in columns]
    row_length = np.full(rows, len(columns), dtype=np.int64)  # a separator after each field
    for length in lengths:
        row_length += length
    out = np.full(int(row_length.sum()), _COMMA, dtype=np.uint8)
    row_start = np.zeros(rows, dtype=np.int64)
    np.cumsum(row_length[:-1], out=row_start[1:])
    out[row_start + row_length - 1] = _NEWLINE
    offset = row_start.copy()
    for column, length in zip(columns, lengths, strict=True):
        width = column.dtype.itemsize
        raw = np.ascontiguousarray(column).view(np.uint8).reshape(rows, width) if rows else None
        for i in range(int(length.max(initial=0))):
            active = length > i
            assert raw is not None
            out[(offset + i)[active]] = raw[active, i]
        offset += length + 1
    return out.tobytes()


def assignment_of(instance: Instance, admitted_app: IntArray) -> dict[str, str | None]:
    """``{child: school or None}`` from the admitted application of each child."""
    schools = [instance.school_ids[s] for s in range(instance.n_schools)]
    return {
        child: schools[int(instance.app_school[app])] if app >= 0 else None
        for child, app in zip(instance.student_ids, admitted_app.tolist(), strict=True)
    }


def read_assignments(path: Path) -> dict[str, str | None]:
    """Read ``assignments.csv`` into ``{child: school or None}``."""
    table, _ = _read_table(path, [ASSIGNMENTS_HEADER])
    result: dict[str, str | None] = {}
    for row in range(table.rows):
        student, school = table.text(row, 0), table.text(row, 1)
        if not student:
            raise InterchangeError(table.name, table.line(row), "student_id", "empty id")
        if student in result:
            raise InterchangeError(
                table.name, table.line(row), "student_id", f"{student!r} repeated"
            )
        result[student] = school or None
    return result


def write_problem(directory: Path, problem: Problem) -> dict[str, Path]:
    """Publish ``problem`` as ``schools.csv``, ``students.csv`` and ``applications.csv``.

    Siblings are written with their shared number. Under multiple tie-breaking the
    numbers go to the fifth column of ``applications.csv``. Reserved seats have no
    place in this format and are refused.
    """
    from sunshine.engine.admission.instance import encode

    if problem.reserves:
        raise ProblemError("reserved seats cannot be written in the interchange format")
    instance = encode(problem)
    for text in [*instance.student_ids, *instance.school_ids]:
        if not text or any(ch in text for ch in ',"\r\n\0'):
            raise ProblemError(
                f"id {text!r} cannot be written: empty, or holds a comma, quote or line break"
            )
    numbers = np.array(
        [problem.tiebreak.get(student, 0) for student in instance.student_ids], dtype=np.int64
    )
    return write_instance(
        directory, instance, numbers, multiple=problem.school_tiebreak is not None
    )


def write_instance(
    directory: Path,
    instance: Instance,
    student_numbers: IntArray | None = None,
    *,
    multiple: bool = False,
) -> dict[str, Path]:
    """Write an instance's three input files into ``directory``.

    ``students.csv`` takes each child's number from its first application (the family
    number), else from ``student_numbers``. With ``multiple`` every application's own
    number goes to the fifth column of ``applications.csv``.
    """
    numbers = np.zeros(instance.n_students, dtype=np.int64)
    if student_numbers is not None:
        numbers[:] = student_numbers
    has_choice = np.diff(instance.offsets) > 0
    if not multiple:
        numbers[has_choice] = instance.app_number[instance.offsets[:-1][has_choice]]
        if not np.array_equal(instance.app_number, numbers[instance.app_student()]):
            raise ProblemError("numbers differ between a child's applications; write with multiple")
    students = _as_bytes(instance.student_ids)
    schools = _as_bytes(instance.school_ids)
    app_columns = [
        students[instance.app_student()],
        instance.app_rank().astype(np.bytes_),
        schools[instance.app_school],
        instance.app_priority.astype(np.bytes_),
    ]
    if multiple:
        app_columns.append(instance.app_number.astype(np.bytes_))
    files = {
        "schools.csv": (SCHOOLS_HEADER, [schools, instance.capacity.astype(np.bytes_)]),
        "students.csv": (STUDENTS_HEADER, [students, numbers.astype(np.bytes_)]),
        "applications.csv": (
            APPLICATIONS_HEADER_MULTIPLE if multiple else APPLICATIONS_HEADER,
            app_columns,
        ),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (header, columns) in files.items():
        paths[name] = directory / name
        paths[name].write_bytes(",".join(header).encode() + b"\n" + _join_rows(columns))
    return paths
