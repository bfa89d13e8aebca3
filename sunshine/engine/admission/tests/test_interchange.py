"""The published files: what they say, how errors are reported, and round trips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.commands import engine as engine_command
from sunshine.engine.admission import Problem, solve
from sunshine.engine.admission.interchange import (
    InterchangeError,
    assignment_of,
    read_assignments,
    read_instance,
    write_assignments,
    write_problem,
)
from sunshine.engine.admission.mechanisms import run
from sunshine.engine.admission.synthetic import generate
from sunshine.engine.admission.tests.strategies import problems

SCHOOLS = "school_id,capacity\nS1,1\nS2,2\n"
STUDENTS = "student_id,tiebreak\na,3\nb,1\nc,2\n"
# a wants S1 then S2, b and c want S1 only; b has the best number at S1.
APPLICATIONS = "student_id,rank,school_id,priority\na,1,S1,1\na,2,S2,1\nb,1,S1,1\nc,1,S1,1\n"


def write(
    folder: Path, schools: str = SCHOOLS, students: str = STUDENTS, applications: str = APPLICATIONS
) -> tuple[Path, Path, Path]:
    paths = (folder / "schools.csv", folder / "students.csv", folder / "applications.csv")
    for path, text in zip(paths, (schools, students, applications), strict=True):
        path.write_bytes(text.encode())
    return paths


def test_a_small_city_read_and_solved_from_files(tmp_path: Path) -> None:
    instance = read_instance(*write(tmp_path))
    admission = run(instance, "da")
    assert assignment_of(instance, admission.admitted_app) == {"a": "S2", "b": "S1", "c": None}
    out = tmp_path / "assignments.csv"
    write_assignments(out, instance, admission.admitted_app)
    assert out.read_text() == "student_id,school_id\na,S2\nb,S1\nc,\n"
    assert read_assignments(out) == {"a": "S2", "b": "S1", "c": None}


def test_crlf_line_ends_a_byte_order_mark_and_no_final_newline_are_accepted(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        schools="\ufeff" + SCHOOLS.replace("\n", "\r\n"),
        applications=APPLICATIONS.rstrip("\n"),
    )
    instance = read_instance(*paths)
    assert assignment_of(instance, run(instance, "da").admitted_app)["b"] == "S1"


def test_long_and_chinese_ids_are_kept_whole_and_ordered_by_their_bytes(tmp_path: Path) -> None:
    long_a = "学生-0000000000000000-a"
    long_b = "学生-0000000000000000-b"
    paths = write(
        tmp_path,
        schools="school_id,capacity\n武陵区第一小学,1\n",
        students=f"student_id,tiebreak\n{long_b},1\n{long_a},2\n",
        applications=(
            "student_id,rank,school_id,priority\n"
            f"{long_b},1,武陵区第一小学,1\n{long_a},1,武陵区第一小学,1\n"
        ),
    )
    instance = read_instance(*paths)
    assert list(instance.student_ids) == [long_a, long_b]
    assert assignment_of(instance, run(instance, "da").admitted_app) == {
        long_a: None,
        long_b: "武陵区第一小学",
    }


def test_a_fifth_column_gives_one_number_per_school(tmp_path: Path) -> None:
    applications = (
        "student_id,rank,school_id,priority,tiebreak\n"
        "a,1,S1,1,0\na,2,S2,1,5\nb,1,S1,1,9\nc,1,S1,1,8\n"
    )
    instance = read_instance(*write(tmp_path, applications=applications))
    # At S1 a now holds the best number (0), overriding students.csv.
    assert assignment_of(instance, run(instance, "da").admitted_app) == {
        "a": "S1",
        "b": None,
        "c": None,
    }


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        (
            "schools",
            "school,capacity\nS1,1\n",
            "schools.csv, line 1: header must be 'school_id,capacity'",
        ),
        ("schools", "school_id,capacity\nS1,1\nS2\n", "schools.csv, line 3: 1 field, expected 2"),
        ("schools", "school_id,capacity\nS1,1\n\nS2,1\n", "schools.csv, line 3: empty line"),
        ("schools", "school_id,capacity\nS1,1,2\n", "schools.csv, line 2: 3 fields, expected 2"),
        (
            "schools",
            "school_id,capacity\nS1,x1\n",
            "schools.csv, line 2, field capacity: 'x1' is not an integer",
        ),
        ("schools", "school_id,capacity\nS1,-1\n", "schools.csv, line 2, field capacity: negative"),
        (
            "schools",
            "school_id,capacity\nS1,1\nS1,2\n",
            "schools.csv, line 3, field school_id: 'S1' already on line 2",
        ),
        (
            "schools",
            'school_id,capacity\n"S1",1\n',
            "schools.csv, line 2: quotes are not part of the format",
        ),
        (
            "students",
            "student_id,tiebreak\na,1\nb,\nc,2\n",
            "students.csv, line 3, field tiebreak: '' is not an integer",
        ),
        (
            "students",
            "student_id,tiebreak\n,1\n",
            "students.csv, line 2, field student_id: empty id",
        ),
        (
            "applications",
            APPLICATIONS + "d,1,S1,1\n",
            "applications.csv, line 6, field student_id: unknown student 'd'",
        ),
        (
            "applications",
            APPLICATIONS + "c,2,S9,1\n",
            "applications.csv, line 6, field school_id: unknown school 'S9'",
        ),
        (
            "applications",
            APPLICATIONS + "c,3,S2,1\n",
            "applications.csv, line 6, field rank: '3': a child's ranks must be 1, 2, 3",
        ),
        (
            "applications",
            APPLICATIONS + "c,0,S2,1\n",
            "applications.csv, line 6, field rank: ranks start at 1",
        ),
        (
            "applications",
            APPLICATIONS + "c,2,S1,1\n",
            "applications.csv, line 6, field school_id: school listed twice",
        ),
        (
            "applications",
            APPLICATIONS + "c,2,S2,1234567890123456789\n",
            "applications.csv, line 6, field priority",
        ),
    ],
)
def test_errors_name_the_file_the_line_and_the_field(
    tmp_path: Path, file: str, text: str, expected: str
) -> None:
    paths = write(tmp_path, **{file: text})
    with pytest.raises(InterchangeError) as error:
        read_instance(*paths)
    assert str(error.value).startswith(expected)


def test_invalid_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    paths = write(tmp_path)
    paths[1].write_bytes(b"student_id,tiebreak\na,3\nb\xff,1\n")
    with pytest.raises(InterchangeError, match=r"students.csv, line 3: not valid UTF-8"):
        read_instance(*paths)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(problems(), st.sampled_from(["da", "boston"]))
def test_published_files_recompute_the_same_admission(
    tmp_path: Path, problem: Problem, mechanism: str
) -> None:
    folder = tmp_path / str(abs(hash((str(problem), mechanism))))
    paths = write_problem(folder, problem)
    instance = read_instance(paths["schools.csv"], paths["students.csv"], paths["applications.csv"])
    recomputed = assignment_of(instance, run(instance, mechanism).admitted_app)  # type: ignore[arg-type]
    assert recomputed == solve(problem, mechanism).assignment  # type: ignore[arg-type]


def test_a_generated_city_survives_the_round_trip(tmp_path: Path) -> None:
    from sunshine.engine.admission.interchange import write_instance

    instance = generate(3000, seed=7)
    paths = write_instance(tmp_path, instance)
    again = read_instance(paths["schools.csv"], paths["students.csv"], paths["applications.csv"])
    for field in ("capacity", "offsets", "app_school", "app_priority", "app_number"):
        assert np.array_equal(getattr(instance, field), getattr(again, field)), field
    assert list(again.student_ids) == list(instance.student_ids)


class TestCommandLine:
    def test_solve_writes_assignments_and_reports_solve_seconds(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        schools, students, applications = write(tmp_path)
        out = tmp_path / "assignments.csv"
        args = [
            "solve",
            "--schools",
            str(schools),
            "--students",
            str(students),
            "--applications",
            str(applications),
        ]
        status = engine_command.main([*args, "--mechanism", "da", "--out", str(out), "--timings"])
        assert status == 0
        assert read_assignments(out) == {"a": "S2", "b": "S1", "c": None}
        timings = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert timings["solve_seconds"] >= 0

    def test_verify_finds_a_tampered_assignment(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        schools, students, applications = write(tmp_path)
        published = tmp_path / "assignments.csv"
        args = [
            "--schools",
            str(schools),
            "--students",
            str(students),
            "--applications",
            str(applications),
        ]
        published.write_text("student_id,school_id\na,S2\nb,S1\nc,\n")
        assert engine_command.main(["verify", *args, "--assignments", str(published)]) == 0
        published.write_text("student_id,school_id\na,S2\nb,\nc,S1\n")
        assert engine_command.main(["verify", *args, "--assignments", str(published)]) == 1
        report = capsys.readouterr().out
        assert (
            "2 of 3 children differ" in report
            and "c: published S1, recomputed (unplaced)" in report
        )

    def test_bad_input_exits_2_with_the_message(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        schools, students, applications = write(tmp_path, students="student_id,tiebreak\na,3\n")
        args = [
            "solve",
            "--schools",
            str(schools),
            "--students",
            str(students),
            "--applications",
            str(applications),
        ]
        assert engine_command.main([*args, "--out", str(tmp_path / "out.csv")]) == 2
        assert (
            "applications.csv, line 4, field student_id: unknown student 'b'"
            in capsys.readouterr().err
        )
