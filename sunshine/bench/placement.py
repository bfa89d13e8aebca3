"""``sunshine bench placement --pupils N --classes K``: one-click class placement.

Generates a grade deterministically (about 52% boys, births over one school year,
entrance scores in three subjects unless ``--no-scores``, 1% special needs, twins
asked together or apart, a few must-separate pairs), places it ``--repeats`` times
and reports the median time and the quality of the placement.
"""

from __future__ import annotations

import argparse

from sunshine.bench.measure import emit, median, peak_rss_mb, timed
from sunshine.engine.classes import (
    Placement,
    PlacementRequest,
    Pupil,
    birth_month_index,
    place_pupils,
)
from sunshine.engine.lottery import RandomStream

SUBJECTS = ("chinese", "math", "english")


def _score(stream: RandomStream) -> float:
    # The sum of four uniforms is roughly normal: mean 70, standard deviation about 8.7.
    return 40 + sum(stream.randbelow(151) for _ in range(4)) / 20


def generate_grade(pupils: int, with_scores: bool, seed: bytes) -> list[Pupil]:
    """A grade of ``pupils`` born from September 2018 to August 2019."""
    stream = RandomStream(seed, personalization=b"sunshine-bench-placement")
    first_month = birth_month_index(2018, 9)
    grade: list[Pupil] = []
    while len(grade) < pupils:
        siblings = 2 if stream.randbelow(100) < 2 and pupils - len(grade) >= 2 else 1
        month = first_month + stream.randbelow(12)
        together = stream.randbelow(2) == 0
        group = f"T{len(grade):06d}" if siblings > 1 else None
        for _ in range(siblings):
            index = len(grade)
            grade.append(
                Pupil(
                    pupil_id=f"P{index:06d}",
                    sex="M" if stream.randbelow(100) < 52 else "F",
                    birth_month=month,
                    scores={s: _score(stream) for s in SUBJECTS} if with_scores else {},
                    special_needs=stream.randbelow(100) == 0,
                    twin_group=group,
                    twins_together=together,
                )
            )
    return grade


def _separations(grade: list[Pupil], count: int, seed: bytes) -> list[tuple[str, str]]:
    stream = RandomStream(seed, personalization=b"sunshine-bench-placement-pairs")
    pairs: list[tuple[str, str]] = []
    while len(grade) >= 2 and len(pairs) < count:
        first, second = stream.randbelow(len(grade)), stream.randbelow(len(grade))
        if first != second and grade[first].twin_group is None:
            pairs.append((grade[first].pupil_id, grade[second].pupil_id))
    return pairs


def _figures(placement: Placement) -> dict[str, object]:
    quality = placement.quality
    return {
        "max_size_difference": quality.max_size_difference,
        "max_boys_difference": quality.max_boys_difference,
        "max_girls_difference": quality.max_girls_difference,
        "birth_month_mean_spread_months": round(quality.birth_month_mean_spread, 4),
        "score_mean_spread_points": {
            subject: round(value, 4) for subject, value in quality.score_mean_spread.items()
        },
        "special_needs_per_class_min": quality.special_needs_per_class[0],
        "special_needs_per_class_max": quality.special_needs_per_class[1],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sunshine bench placement")
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--classes", type=int, default=45)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--separations", type=int, default=10, help="must-separate pairs")
    parser.add_argument("--no-scores", action="store_true", help="a primary school: no scores")
    parser.add_argument("--seed", default="bench", help="text whose UTF-8 bytes seed it all")
    args = parser.parse_args(argv)

    seed = args.seed.encode("utf-8")
    grade = generate_grade(args.pupils, not args.no_scores, seed)
    request = PlacementRequest(
        pupils=grade,
        seed=seed,
        class_count=args.classes,
        must_separate=_separations(grade, args.separations, seed),
    )
    seconds, placement = timed(lambda: place_pupils(request), args.repeats)
    twins = sum(pupil.twin_group is not None for pupil in grade)
    print(
        f"{args.pupils} pupils ({twins} twins, {len(request.must_separate)} must-separate "
        f"pairs) into {args.classes} classes; seconds per run: "
        + ", ".join(f"{s:.3f}" for s in seconds)
    )
    emit(
        {
            "pupils": args.pupils,
            "classes": args.classes,
            "repeats": args.repeats,
            "place_seconds_median": round(median(seconds), 4),
            "place_seconds_max": round(max(seconds), 4),
            **_figures(placement),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    )
    return 0
