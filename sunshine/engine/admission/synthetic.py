"""Generated admission instances for benchmarks and tests (deterministic from a seed).

Schools differ in popularity (Zipf-like weights), so the popular ones overflow and
deferred acceptance needs many rounds, as in a real city.
"""

from __future__ import annotations

import numpy as np

from sunshine.engine.admission.instance import Instance, IntArray

CHOICES = 5
CHILDREN_PER_SCHOOL = 400
_DRAWS_PER_CHILD = 16
# Share of applications in categories 1..5 (category 1 best).
_CATEGORY_SHARES = (0.25, 0.30, 0.20, 0.15, 0.10)


def generate(
    n_students: int,
    seed: int = 2024,
    choices: int = CHOICES,
    seat_ratio: float = 1.05,
    score_ranks: bool = False,
) -> Instance:
    """``n_students`` children with ``choices`` distinct choices each, single tie-breaking.

    Priorities are categories 1..5 drawn per application, or with ``score_ranks`` one
    score rank per child (a score-based program, for serial dictatorship).
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    n_schools = max(choices, n_students // CHILDREN_PER_SCHOOL)
    popularity = 1.0 / np.arange(1, n_schools + 1) ** 0.9
    popularity = rng.permutation(popularity)
    popularity /= popularity.sum()
    capacity = _capacities(rng, n_schools, int(n_students * seat_ratio))
    listed = _distinct_choices(rng, n_students, n_schools, popularity, choices)
    n_apps = listed.size
    priority = rng.choice(
        np.arange(1, len(_CATEGORY_SHARES) + 1), size=n_apps, p=np.array(_CATEGORY_SHARES)
    ).astype(np.int64)
    lottery = rng.permutation(n_students).astype(np.int64)
    if score_ranks:
        priority = np.repeat(rng.permutation(n_students).astype(np.int64) + 1, choices)
    return Instance(
        student_ids=[f"C{i:07d}" for i in range(n_students)],
        school_ids=[f"S{j:05d}" for j in range(n_schools)],
        capacity=capacity,
        offsets=np.arange(0, n_apps + 1, choices, dtype=np.int64),
        app_school=listed.ravel(),
        app_priority=priority,
        app_number=np.repeat(lottery, choices),
    )


def _capacities(rng: np.random.Generator, n_schools: int, seats: int) -> IntArray:
    raw = rng.uniform(0.5, 1.5, size=n_schools)
    capacity: IntArray = np.maximum(np.floor(raw / raw.sum() * seats).astype(np.int64), 1)
    return capacity


def _distinct_choices(
    rng: np.random.Generator,
    n_students: int,
    n_schools: int,
    popularity: np.ndarray,
    choices: int,
) -> IntArray:
    """Per child, ``choices`` distinct schools drawn by popularity, in draw order."""
    listed = np.empty((n_students, choices), dtype=np.int64)
    pending = np.arange(n_students)
    while pending.size:
        draws = rng.choice(n_schools, size=(pending.size, _DRAWS_PER_CHILD), p=popularity)
        by_value = np.argsort(draws, axis=1, kind="stable")
        sorted_draws = np.take_along_axis(draws, by_value, axis=1)
        first = np.ones_like(sorted_draws, dtype=np.bool_)
        first[:, 1:] = sorted_draws[:, 1:] != sorted_draws[:, :-1]
        keep = np.zeros_like(first)
        np.put_along_axis(keep, by_value, first, axis=1)
        keep &= np.cumsum(keep, axis=1) <= choices
        complete = keep.sum(axis=1) == choices
        listed[pending[complete]] = draws[complete][keep[complete]].reshape(-1, choices)
        pending = pending[~complete]
    return listed
