"""``sunshine bench lottery --entries N``: one lottery draw over N entries.

Reports the median time of ``draw`` (validation, HMAC-DRBG stream, Fisher–Yates),
of the entry-list hash, and of building and verifying a sealed record; with
``--observer-verifier`` also one run of the standard-library verifier in
docs/examples on that record.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sunshine.bench.measure import emit, median, peak_rss_mb, timed
from sunshine.engine.lottery import build_record, derive_seed, draw, entry_list_hash, verify_record
from sunshine.engine.lottery.sources import lottery_source, onsite_source

VERIFIER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "verify_lottery.py"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sunshine bench lottery")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--observer-verifier", action="store_true")
    args = parser.parse_args(argv)

    entries = [f"JC2025{i:08d}" for i in range(args.entries)]
    sources = [
        lottery_source("tc-dlt", "25078", "03 11 19 27 33 + 04 12"),
        onsite_source("notary", "58213", "58213"),
    ]
    hash_seconds, entry_hash = timed(lambda: entry_list_hash(entries), args.repeats)
    seed = derive_seed(entry_hash, {source.name: source.value for source in sources})
    draw_seconds, result = timed(lambda: draw(entries, seed), args.repeats)
    print(f"{args.entries} entries; lottery numbers 1-3: {list(result.order[:3])}")

    start = time.perf_counter()
    record = build_record(entries, sources, draw_id="bench", code_version="bench")
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    verification = verify_record(record)
    verify_seconds = time.perf_counter() - start
    print(verification)

    figures: dict[str, object] = {
        "entries": args.entries,
        "repeats": args.repeats,
        "draw_seconds_median": round(median(draw_seconds), 4),
        "draw_seconds_min": round(min(draw_seconds), 4),
        "entry_hash_seconds_median": round(median(hash_seconds), 4),
        "build_record_seconds": round(build_seconds, 4),
        "verify_record_seconds": round(verify_seconds, 4),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    if args.observer_verifier:
        figures["observer_verifier_seconds"] = round(_run_observer_verifier(record), 3)
    emit(figures)
    return 0 if verification.ok else 1


def _run_observer_verifier(record: dict[str, object]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-I", "-S", str(VERIFIER), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
    print(f"observer verifier: {completed.stdout.strip()}")
    return seconds
