"""``sunshine bench WHAT``: benchmarks that print their figures as one JSON line last."""

from __future__ import annotations

import importlib
import sys

BENCHES: dict[str, tuple[str, str]] = {
    "engine": ("sunshine.bench.engine", "admission mechanisms on a generated city"),
    "lottery": ("sunshine.bench.lottery", "a lottery draw over many entries"),
    "placement": ("sunshine.bench.placement", "one-click class placement"),
    "demo": ("sunshine.bench.demo", "the whole demo year on SQLite"),
    "verification": ("sunshine.bench.verification", "batch verification on PostgreSQL"),
    "api": ("sunshine.bench.api", "CPU per call of the opening-day flow, in one process"),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: sunshine bench WHAT [ARGS]\n\nbenchmarks:")
        for name, (_, about) in BENCHES.items():
            print(f"  {name:<10} {about}")
        return 0
    if argv[0] not in BENCHES:
        print(f"sunshine bench: unknown benchmark {argv[0]!r}", file=sys.stderr)
        return 2
    module = importlib.import_module(BENCHES[argv[0]][0])
    result: int = module.main(argv[1:])
    return result
