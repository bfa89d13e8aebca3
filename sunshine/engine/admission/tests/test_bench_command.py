"""``sunshine bench engine`` keeps its contract: figures last, as one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sunshine.bench import engine as bench_engine
from sunshine.engine.admission.interchange import read_instance


def test_bench_prints_its_figures_last_and_writes_a_readable_city(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--students", "3000", "--repeats", "2", "--chances", "3", "--write", str(tmp_path)]
    assert bench_engine.main(args) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["students"] == 3000 and figures["applications"] == 15000
    assert figures["solve_seconds_median"] > 0 and figures["peak_rss_mb"] > 0
    assert figures["chance_replications"] == 3
    assert 0 < figures["placed_share"] < 1  # popular schools overflow
    instance = read_instance(
        tmp_path / "schools.csv", tmp_path / "students.csv", tmp_path / "applications.csv"
    )
    assert instance.n_students == 3000
