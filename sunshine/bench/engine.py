"""``sunshine bench engine``: admission mechanisms on a generated city.

Generates ``--students`` children with five choices each over schools of skewed
popularity (popular schools overflow), solves it ``--repeats`` times and prints the
median solve time (ordering included, generation excluded) and the peak memory.
``--chances R`` also times R chance-estimator replications; ``--write DIR`` writes the
interchange files so that ``sunshine engine solve`` can be timed on the same city.
``--baseline-c`` compiles a plain C loop of the same algorithm (one proposal at a time,
a heap per school), times it on the same city side by side, and checks that both give
the same assignment.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from sunshine.bench.measure import emit, median, peak_rss_mb, timed
from sunshine.engine.admission.chances import chance_counts
from sunshine.engine.admission.instance import Instance, IntArray
from sunshine.engine.admission.interchange import write_instance
from sunshine.engine.admission.mechanisms import run
from sunshine.engine.admission.model import MECHANISMS
from sunshine.engine.admission.synthetic import generate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sunshine bench engine", description=__doc__)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mechanism", choices=MECHANISMS, default="da")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the generated city")
    parser.add_argument("--chances", type=int, default=0, help="chance-estimator replications")
    parser.add_argument(
        "--tie-breaking", choices=("single", "multiple"), default="single", help="for --chances"
    )
    parser.add_argument("--write", type=Path, help="write the interchange files into this folder")
    parser.add_argument(
        "--baseline-c",
        action="store_true",
        help="time a plain C deferred-acceptance loop on the same city (needs cc)",
    )
    return parser


def c_baseline(instance: Instance, admitted_app: IntArray, repeats: int) -> dict[str, object]:
    """Solve seconds of the C loop, and whether it agrees with the engine child by child."""
    source = Path(__file__).with_name("baseline") / "deferred_acceptance.c"
    with tempfile.TemporaryDirectory(prefix="sunshine-baseline-") as scratch:
        folder = Path(scratch)
        write_instance(folder, instance)
        binary = folder / "deferred_acceptance"
        subprocess.run(["cc", "-O2", "-o", str(binary), str(source)], check=True)
        files = [str(folder / name) for name in ("schools.csv", "students.csv", "applications.csv")]
        seconds: list[float] = []
        for _ in range(repeats):
            output = subprocess.run(
                [str(binary), *files], check=True, capture_output=True, text=True
            ).stdout.split()
            seconds.append(float(output[0]))
        baseline_school = np.array(output[1:], dtype=np.int64)
    engine_school = np.where(admitted_app >= 0, instance.app_school[admitted_app], -1)
    return {
        "baseline_c_solve_seconds_median": round(median(seconds), 4),
        "baseline_c_agrees": bool(np.array_equal(engine_school, baseline_school)),
    }


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    instance = generate(args.students, seed=args.seed, score_ranks=args.mechanism == "serial")
    generate_seconds = time.perf_counter() - started
    print(
        f"generated {instance.n_students} children, {instance.n_applications} applications, "
        f"{instance.n_schools} schools in {generate_seconds:.2f} s",
        flush=True,
    )
    if args.write:
        write_instance(args.write, instance)
        print(f"wrote the interchange files to {args.write}", flush=True)
    seconds, admission = timed(lambda: run(instance, args.mechanism), args.repeats)
    placed = admission.admitted_app >= 0
    first_choice = admission.admitted_app[placed] == instance.offsets[:-1][placed]
    figures: dict[str, object] = {
        "students": instance.n_students,
        "applications": instance.n_applications,
        "schools": instance.n_schools,
        "mechanism": args.mechanism,
        "repeats": args.repeats,
        "solve_seconds_median": round(median(seconds), 4),
        "solve_seconds_min": round(min(seconds), 4),
        "placed_share": round(float(placed.mean()), 4),
        "first_choice_share": round(float(first_choice.sum() / instance.n_students), 4),
        "generate_seconds": round(generate_seconds, 2),
    }
    if args.baseline_c and args.mechanism == "da":
        figures.update(c_baseline(instance, admission.admitted_app, args.repeats))
        figures["engine_to_baseline_c_ratio"] = round(
            float(figures["solve_seconds_median"])
            / float(figures["baseline_c_solve_seconds_median"]),
            2,
        )
    if args.chances:
        seeds = [b"bench-chances-%d" % i for i in range(args.chances)]
        started = time.perf_counter()
        counts = chance_counts(
            instance, seeds, mechanism=args.mechanism, tie_breaking=args.tie_breaking
        )
        figures["chance_replications"] = args.chances
        figures["chance_seconds_total"] = round(time.perf_counter() - started, 2)
        uncertain = (counts > 0) & (counts < args.chances)
        figures["chance_uncertain_share"] = round(float(np.mean(uncertain)), 4)
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    emit(figures)
    return 0
