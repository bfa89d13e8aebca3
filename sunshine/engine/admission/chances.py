"""Chance estimator: how likely each child is admitted at each school it listed.

The lottery is re-run once per seed over the current applications (unofficial seeds,
never those of the real draw) and every admission is counted. Each seed feeds the
lottery's HMAC-DRBG stream (``sunshine.engine.lottery.RandomStream``); the first 32
bytes of that stream seed a NumPy PCG64 generator, which draws the permutations in
bulk, so that a thousand replications of a large city take seconds.

Under single tie-breaking a replication is one uniform permutation of the families
(children sharing a number in the given problem, or declared siblings, stay one
family). Under multiple tie-breaking it is an independent uniform permutation at every
school (one permutation of all (family, school) pairs, which induces one per school).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from sunshine.engine.admission.instance import Instance, IntArray, encode
from sunshine.engine.admission.mechanisms import run
from sunshine.engine.admission.model import Mechanism, Problem, ProblemError
from sunshine.engine.lottery import RandomStream

TieBreaking = Literal["single", "multiple"]


def generator_for(seed: bytes) -> np.random.Generator:
    """A PCG64 generator seeded from the first 32 bytes of the lottery stream of ``seed``."""
    state = int.from_bytes(RandomStream(seed).random_bytes(32), "big")
    return np.random.Generator(np.random.PCG64(state))


def families_of(instance: Instance, tie_breaking: TieBreaking) -> IntArray:
    """Family index per lottery unit: per child (single) or per application (multiple).

    Children (single) or applications to one school (multiple) that share a number in
    ``instance`` share a family and so a number in every replication.
    """
    if tie_breaking == "single":
        has_choice = np.diff(instance.offsets) > 0
        first_numbers = instance.app_number[instance.offsets[:-1][has_choice]]
        _, shared = np.unique(first_numbers, return_inverse=True)
        family = np.empty(instance.n_students, dtype=np.int64)
        family[has_choice] = shared.reshape(-1)
        alone = int(np.count_nonzero(~has_choice))
        family[~has_choice] = int(shared.size and shared.max() + 1) + np.arange(alone)
        return family
    low = int(instance.app_number.min(initial=0))
    span = int(instance.app_number.max(initial=0)) - low + 1
    if instance.n_schools * span < 2**62:
        _, family = np.unique(
            instance.app_school * span + (instance.app_number - low), return_inverse=True
        )
    else:
        pairs = np.stack((instance.app_school, instance.app_number), axis=1)
        _, family = np.unique(pairs, axis=0, return_inverse=True)
    return family.reshape(-1).astype(np.int64)


def chance_counts(
    instance: Instance,
    seeds: Sequence[bytes],
    *,
    mechanism: Mechanism = "da",
    tie_breaking: TieBreaking = "single",
    siblings_together: bool = True,
) -> IntArray:
    """How many of the replications admit each application."""
    if not seeds:
        raise ProblemError("the chance estimator needs at least one seed")
    family = families_of(instance, tie_breaking)
    n_families = int(family.max(initial=-1)) + 1
    app_student = instance.app_student()
    counts = np.zeros(instance.n_applications, dtype=np.int64)
    for seed in seeds:
        permutation = generator_for(seed).permutation(n_families).astype(np.int64)
        if tie_breaking == "single":
            numbers = permutation[family[app_student]]
        else:
            numbers = permutation[family]
        admission = run(instance.with_numbers(numbers), mechanism, siblings_together, app_student)
        admitted = admission.admitted_app
        counts[admitted[admitted >= 0]] += 1
    return counts


def estimate_chances(
    problem: Problem,
    seeds: Sequence[bytes],
    *,
    mechanism: Mechanism = "da",
    tie_breaking: TieBreaking | None = None,
    siblings_together: bool = True,
) -> dict[tuple[str, str], float]:
    """Probability of admission per (child, listed school), over ``len(seeds)`` lotteries.

    The problem's own numbers are ignored except to tell which children form a family
    (shared number, or ``sibling_groups``). ``tie_breaking`` defaults to the problem's:
    multiple when it has ``school_tiebreak``.
    """
    if tie_breaking is None:
        tie_breaking = "single" if problem.school_tiebreak is None else "multiple"
    instance = encode(problem)
    counts = chance_counts(
        instance,
        seeds,
        mechanism=mechanism,
        tie_breaking=tie_breaking,
        siblings_together=siblings_together,
    )
    app_student = instance.app_student()
    return {
        (instance.student_ids[int(child)], instance.school_ids[int(school)]): count / len(seeds)
        for child, school, count in zip(
            app_student.tolist(), instance.app_school.tolist(), counts.tolist(), strict=True
        )
    }
