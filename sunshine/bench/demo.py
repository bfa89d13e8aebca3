"""``sunshine bench demo``: the whole demo year on a fresh SQLite database, stage by stage."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from sunshine.bench.measure import emit, median, peak_rss_mb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sunshine bench demo")
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sunshine-bench-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        os.environ["SUNSHINE_VAR_DIR"] = folder
        os.environ["SUNSHINE_SMS_BACKEND"] = "file"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from sunshine.demo.year import run_year

        totals: list[float] = []
        figures: dict[str, object] = {}
        for _ in range(args.repeats):
            call_command("migrate", verbosity=0, interactive=False)
            if totals:
                call_command("flush", verbosity=0, interactive=False)
            report = run_year(args.children, args.seed, progress=False)
            totals.append(float(report.figures["total_seconds"]))
            figures = report.figures
            print("\n".join(report.lines))
    emit(
        {
            **{k: v for k, v in figures.items() if k.endswith("_seconds")},
            "children": args.children,
            "repeats": args.repeats,
            "year_seconds_median": round(median(totals), 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    )
    return 0
