"""The stdlib-only verifier in docs/examples agrees with the engine and catches tampering."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sunshine.engine.lottery import build_record, rfc3797
from sunshine.engine.lottery.drand import drand_source
from sunshine.engine.lottery.sources import Source, lottery_source, onsite_source
from sunshine.engine.lottery.tests.test_drand import QUICKNET_123

SCRIPT = Path(__file__).resolve().parents[4] / "docs" / "examples" / "verify_lottery.py"


def run_verifier(record: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    # -I -S: no site-packages, no environment; only the standard library is importable.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    # Enough entries that the stream crosses several 4096-byte requests.
    entries = [f"申请-{i:05d}" for i in range(1, 1501)]
    sources = [
        lottery_source("fc-ssq", "2025078", "01 07 12 19 25 33 + 08"),
        drand_source(QUICKNET_123, check_signature=False),
        onsite_source("notary", "90210", "90210"),
    ]
    return build_record(entries, sources, draw_id="obs", code_version="test", title="观察员")


def test_the_script_uses_only_the_standard_library() -> None:
    imported = [
        line.split()[1]
        for line in SCRIPT.read_text().splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert set(imported) <= set(sys.stdlib_module_names)


def test_observer_verifier_agrees_with_the_engine(record: dict[str, Any], tmp_path: Path) -> None:
    result = run_verifier(record, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "OK")


def test_observer_verifier_agrees_on_rfc3797_records(tmp_path: Path) -> None:
    pool = [f"V{i}" for i in range(1, 26)]
    numeric = [Source("s1", "other", "9319"), Source("s2", "other", "2 5 12 8 10")]
    record = build_record(
        pool, numeric, draw_id="rfc", code_version="test", algorithm=rfc3797.ALGORITHM
    )
    assert run_verifier(record, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda r: r["entries"].__setitem__(3, "申请-99999"), "entry_list_sha256"),
        (lambda r: r["sources"][2].__setitem__("value", "90211"), "seed"),
        (lambda r: r["sources"][1].__setitem__("value", "f" * 64), "sources[1].value"),
        (lambda r: r["order"].insert(7, r["order"].pop(9)), "order[8]"),
        (lambda r: r.__setitem__("title", "别的学校"), "record_sha256"),
    ],
    ids=["entry", "source", "drand value", "result", "title"],
)
def test_observer_verifier_detects_tampering(
    record: dict[str, Any], tmp_path: Path, change: Any, reported: str
) -> None:
    tampered = copy.deepcopy(record)
    change(tampered)
    result = run_verifier(tampered, tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"MISMATCH at {reported}")
