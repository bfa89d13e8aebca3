"""Exact integer features the placement balances.

Everything the search compares is an integer, so the same inputs give the same
classes on any machine, whatever its floating-point or BLAS library does.

* counts: per pupil ``(boy, girl, special needs)`` as 0/1.
* balance features: birth month, then each entrance-score subject in name order.
  A value ``x`` (birth month, or score in hundredths rounded half to even) becomes
  ``z = (x - min) * Q * m // isqrt(m * Σx² - (Σx)²)`` (``m`` pupils having the value),
  i.e. ``Q`` steps per standard deviation; then ``y = m * z - Σz`` for pupils with the
  value and 0 for those without. A class's sum of ``y`` is ``m`` times the amount by
  which its pupils' values exceed the school mean, so the target of every class is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import isqrt

import numpy as np
import numpy.typing as npt

from sunshine.engine.classes.model import PlacementError, Pupil

STEPS_PER_STANDARD_DEVIATION = 64
_INT64_HEADROOM = 2**62


@dataclass(frozen=True)
class Features:
    counts: npt.NDArray[np.int64]  # (pupils, 3): boy, girl, special needs
    balance: npt.NDArray[np.int64]  # (pupils, dimensions), centred as described above
    dimensions: tuple[str, ...]  # "birth_month", then "score:<subject>"


def _raw_dimensions(pupils: Sequence[Pupil]) -> list[tuple[str, list[int | None]]]:
    dimensions: list[tuple[str, list[int | None]]] = [
        ("birth_month", [pupil.birth_month for pupil in pupils])
    ]
    subjects = sorted({subject for pupil in pupils for subject in pupil.scores})
    for subject in subjects:
        values = [
            round(pupil.scores[subject] * 100) if subject in pupil.scores else None
            for pupil in pupils
        ]
        dimensions.append((f"score:{subject}", values))
    return dimensions


def _centred(values: list[int | None], steps: int) -> list[int] | None:
    present = [value for value in values if value is not None]
    count = len(present)
    total = sum(present)
    spread = isqrt(count * sum(value * value for value in present) - total * total)
    if count < 2 or spread == 0:
        return None  # nothing to balance
    low = min(present)
    scaled = [None if v is None else (v - low) * steps * count // spread for v in values]
    scaled_total = sum(z for z in scaled if z is not None)
    return [0 if z is None else count * z - scaled_total for z in scaled]


def _fits_int64(balance: list[list[int]], largest_class: int) -> bool:
    # A swap's score is bounded by 8 * (class size + 1) * max|y|^2 * dimensions.
    largest = max((abs(v) for column in balance for v in column), default=0)
    return 8 * (largest_class + 1) * largest * largest * max(1, len(balance)) < _INT64_HEADROOM


def build_features(pupils: Sequence[Pupil], largest_class: int) -> Features:
    """Counts and centred balance features of ``pupils`` (already in canonical order)."""
    counts = np.array(
        [(p.sex == "M", p.sex == "F", p.special_needs) for p in pupils], dtype=np.int64
    ).reshape(len(pupils), 3)
    steps = STEPS_PER_STANDARD_DEVIATION
    while True:
        names: list[str] = []
        columns: list[list[int]] = []
        for name, values in _raw_dimensions(pupils):
            centred = _centred(values, steps)
            if centred is not None:
                names.append(name)
                columns.append(centred)
        if _fits_int64(columns, largest_class):
            break
        if steps == 1:
            raise PlacementError("the school is too large for exact placement arithmetic")
        steps //= 2  # only for enormous schools: coarser steps keep the arithmetic exact
    balance = np.array(columns, dtype=np.int64).T.reshape(len(pupils), len(columns))
    return Features(counts=counts, balance=balance, dimensions=tuple(names))
