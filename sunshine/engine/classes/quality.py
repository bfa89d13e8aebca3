"""Balance figures of a set of class lists, computed from the pupils' own data."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sunshine.engine.classes.model import PlacementQuality, Pupil


def _spread(values: Sequence[int] | Sequence[float]) -> float:
    return float(max(values) - min(values)) if values else 0.0


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _score_spreads(classes: Sequence[Sequence[Pupil]]) -> dict[str, float]:
    subjects = sorted({subject for members in classes for p in members for subject in p.scores})
    spreads: dict[str, float] = {}
    for subject in subjects:
        means = [
            _mean(scored)
            for members in classes
            if (scored := [p.scores[subject] for p in members if subject in p.scores])
        ]
        spreads[subject] = _spread(means)
    return spreads


def measure_quality(
    classes: Sequence[Sequence[str]], pupils: Mapping[str, Pupil]
) -> PlacementQuality:
    """Quality of ``classes`` (lists of pupil IDs); empty classes count as size 0."""
    members = [[pupils[pupil_id] for pupil_id in class_ids] for class_ids in classes]
    sizes = [len(m) for m in members]
    boys = [sum(p.sex == "M" for p in m) for m in members]
    girls = [size - boy_count for size, boy_count in zip(sizes, boys, strict=True)]
    special = [sum(p.special_needs for p in m) for m in members]
    birth_means = [_mean([float(p.birth_month) for p in m]) for m in members if m]
    return PlacementQuality(
        class_count=len(classes),
        max_size_difference=int(_spread(sizes)),
        max_boys_difference=int(_spread(boys)),
        max_girls_difference=int(_spread(girls)),
        birth_month_mean_spread=_spread(birth_means),
        score_mean_spread=_score_spreads(members),
        special_needs_per_class=(min(special), max(special)) if special else (0, 0),
    )
