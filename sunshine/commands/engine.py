"""``sunshine engine``: solve or re-check an admission from its published files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sunshine.engine.admission.instance import Instance
from sunshine.engine.admission.interchange import (
    InterchangeError,
    assignment_of,
    read_assignments,
    read_instance,
    write_assignments,
)
from sunshine.engine.admission.mechanisms import Admission, run
from sunshine.engine.admission.model import MECHANISMS, ProblemError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine engine",
        description="Admission from the interchange files (docs/admission-engine.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, about in (
        ("solve", "compute assignments.csv from schools, students and applications"),
        ("verify", "recompute a published assignments.csv and report any difference"),
    ):
        command = commands.add_parser(name, help=about, description=about)
        command.add_argument("--schools", type=Path, required=True, help="schools.csv")
        command.add_argument("--students", type=Path, required=True, help="students.csv")
        command.add_argument("--applications", type=Path, required=True, help="applications.csv")
        command.add_argument("--mechanism", choices=MECHANISMS, default="da")
        command.add_argument(
            "--siblings-apart",
            action="store_true",
            help="break ties on equal numbers by child id instead of admitting families together",
        )
        command.add_argument(
            "--timings", action="store_true", help="print one JSON line with solve_seconds"
        )
        if name == "solve":
            command.add_argument("--out", type=Path, required=True, help="assignments.csv to write")
        else:
            command.add_argument(
                "--assignments", type=Path, required=True, help="the published assignments.csv"
            )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        started = time.perf_counter()
        instance = read_instance(args.schools, args.students, args.applications)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        admission = run(instance, args.mechanism, siblings_together=not args.siblings_apart)
        solve_seconds = time.perf_counter() - started
        timings = {"read_seconds": round(read_seconds, 4), "solve_seconds": round(solve_seconds, 4)}
        if args.command == "solve":
            started = time.perf_counter()
            write_assignments(args.out, instance, admission.admitted_app)
            timings["write_seconds"] = round(time.perf_counter() - started, 4)
            status = 0
        else:
            status = _verify(args.assignments, instance, admission)
    except (InterchangeError, ProblemError) as error:
        print(f"sunshine engine: {error}", file=sys.stderr)
        return 2
    if args.timings:
        print(json.dumps(timings, sort_keys=True))
    return status


def _verify(path: Path, instance: Instance, admission: Admission) -> int:
    published = read_assignments(path)
    recomputed = assignment_of(instance, admission.admitted_app)
    differences = [
        (child, published.get(child, "(missing)"), recomputed.get(child, "(not a child)"))
        for child in sorted(set(published) | set(recomputed))
        if published.get(child, "(missing)") != recomputed.get(child, "(not a child)")
    ]
    if not differences:
        print(f"identical: {len(recomputed)} children")
        return 0
    print(f"{len(differences)} of {len(recomputed)} children differ:")
    for child, was, should in differences[:20]:
        print(f"  {child}: published {was or '(unplaced)'}, recomputed {should or '(unplaced)'}")
    return 1
