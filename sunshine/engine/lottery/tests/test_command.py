"""``sunshine lottery draw`` and ``verify`` from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sunshine.commands.lottery import main as lottery_main

SIGNATURE_123 = (
    "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482"
    "e26cd02df835d3546d23c4b13e0dfc92"
)


@pytest.fixture()
def entries_csv(tmp_path: Path) -> Path:
    path = tmp_path / "entries.csv"
    rows = ["entry,display"] + [f"JC{i:05d},张*{i}" for i in range(1, 61)] + [""]
    path.write_text("\n".join(rows), encoding="utf-8")
    return path


def draw_args(entries: Path, out: Path) -> list[str]:
    return [
        "draw",
        "--entries",
        str(entries),
        "--lottery",
        "fc-ssq:2025078=01 07 12 19 25 33 + 08",
        "--drand",
        f"quicknet:123:{SIGNATURE_123}",
        "--source",
        "bureau:announcement=2025-07-01",
        "--onsite",
        "parents",
        "--out",
        str(out),
    ]


def run_draw(entries: Path, out: Path, typed: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    return lottery_main(draw_args(entries, out))


def test_draw_then_verify(
    entries_csv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "record.json"
    assert run_draw(entries_csv, out, "4711\n４７１１\n", monkeypatch) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["entry_count"] == 60
    assert {s["name"] for s in record["sources"]} == {
        "lottery:fc-ssq:2025078",
        "drand:quicknet:123",
        "bureau:announcement",
        "onsite:parents",
    }
    assert lottery_main(["verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out


def test_verify_exits_1_naming_the_first_difference(
    entries_csv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "record.json"
    run_draw(entries_csv, out, "4711\n4711\n", monkeypatch)
    record = json.loads(out.read_text(encoding="utf-8"))
    record["order"][0], record["order"][1] = record["order"][1], record["order"][0]
    out.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert lottery_main(["verify", str(out)]) == 1
    assert "order[1]" in capsys.readouterr().out


def test_disagreeing_typists_stop_the_draw(
    entries_csv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "record.json"
    assert run_draw(entries_csv, out, "4711\n4717\n", monkeypatch) == 2
    assert "character 4" in capsys.readouterr().err
    assert not out.exists()


def test_a_forged_drand_round_stops_the_draw(
    entries_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "record.json"
    argv = [
        "draw",
        "--entries",
        str(entries_csv),
        "--out",
        str(out),
        "--drand",
        f"quicknet:124:{SIGNATURE_123}",
    ]
    assert lottery_main(argv) == 2
    assert "round 124" in capsys.readouterr().err


def test_entries_file_without_the_entry_column_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "entries.csv"
    path.write_text("code\nA1\n", encoding="utf-8")
    argv = ["draw", "--entries", str(path), "--source", "a=1", "--out", str(tmp_path / "r.json")]
    assert lottery_main(argv) == 2
    assert "'entry' column" in capsys.readouterr().err


def test_duplicate_entries_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "entries.csv"
    path.write_text("entry\nA1\nA2\nA1\n", encoding="utf-8")
    argv = ["draw", "--entries", str(path), "--source", "a=1", "--out", str(tmp_path / "r.json")]
    assert lottery_main(argv) == 2
    assert "duplicate entry 'A1'" in capsys.readouterr().err


def test_redraw_from_the_command_line(
    entries_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.json"
    run_draw(entries_csv, first, "1\n1\n", monkeypatch)
    second = tmp_path / "second.json"
    argv = [
        "draw",
        "--entries",
        str(entries_csv),
        "--source",
        "onsite:again=77",
        "--supersedes",
        str(first),
        "--reason",
        "投影设备故障",
        "--out",
        str(second),
    ]
    assert lottery_main(argv) == 0
    redraw = json.loads(second.read_text(encoding="utf-8"))
    assert redraw["supersedes"] == json.loads(first.read_text(encoding="utf-8"))["record_sha256"]
    assert lottery_main(["verify", str(second)]) == 0
