"""The vectorised mechanisms agree with plain one-proposal-at-a-time implementations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.admission import Application, Problem, solve
from sunshine.engine.admission.instance import Instance
from sunshine.engine.admission.interchange import assignment_of
from sunshine.engine.admission.mechanisms import run
from sunshine.engine.admission.synthetic import generate
from sunshine.engine.admission.tests import reference
from sunshine.engine.admission.tests.strategies import problems


@settings(max_examples=300, deadline=None)
@given(problems(reserves=True), st.booleans())
def test_deferred_acceptance_matches_reference(problem: Problem, together: bool) -> None:
    expected = reference.deferred_acceptance(problem, together)
    assert solve(problem, "da", siblings_together=together).assignment == expected


@settings(max_examples=300, deadline=None)
@given(problems(reserves=True), st.booleans())
def test_boston_matches_reference(problem: Problem, together: bool) -> None:
    expected = reference.boston(problem, together)
    assert solve(problem, "boston", siblings_together=together).assignment == expected


@settings(max_examples=300, deadline=None)
@given(problems(multiple=False, common_order=True), st.booleans())
def test_serial_dictatorship_matches_sequential_reference(problem: Problem, together: bool) -> None:
    expected = reference.serial_dictatorship(problem, together)
    assert solve(problem, "serial", siblings_together=together).assignment == expected


def as_problem(instance: Instance) -> Problem:
    app_student = instance.app_student()
    ranks = instance.app_rank()
    return Problem(
        capacities={s: int(c) for s, c in zip(instance.school_ids, instance.capacity, strict=True)},
        tiebreak={
            instance.student_ids[int(c)]: int(n)
            for c, n in zip(app_student, instance.app_number, strict=True)
        },
        applications=[
            Application(
                instance.student_ids[int(app_student[a])],
                int(ranks[a]),
                instance.school_ids[int(instance.app_school[a])],
                int(instance.app_priority[a]),
            )
            for a in range(instance.n_applications)
        ],
    )


@pytest.mark.parametrize("mechanism", ["da", "boston"])
def test_a_generated_city_with_long_rejection_chains_matches_reference(mechanism: str) -> None:
    instance = generate(4000, seed=11)
    # Few seats make the popular schools refuse many children, round after round.
    instance = Instance(
        instance.student_ids,
        instance.school_ids,
        instance.capacity // 2,
        instance.offsets,
        instance.app_school,
        instance.app_priority,
        instance.app_number,
    )
    problem = as_problem(instance)
    expected = (
        reference.deferred_acceptance(problem) if mechanism == "da" else reference.boston(problem)
    )
    got = assignment_of(instance, run(instance, mechanism).admitted_app)  # type: ignore[arg-type]
    assert got == expected
    assert sum(school is None for school in got.values()) > 1000


def test_generated_cities_are_reproducible_with_five_distinct_choices() -> None:
    first, again = generate(500, seed=5), generate(500, seed=5)
    assert np.array_equal(first.app_school, again.app_school)
    assert np.array_equal(first.app_number, again.app_number)
    choices = first.app_school.reshape(-1, 5)
    assert all(len(set(row)) == 5 for row in choices.tolist())
    assert not np.array_equal(first.app_school, generate(500, seed=6).app_school)


@settings(max_examples=100, deadline=None)
@given(problems(max_schools=5), st.sampled_from([0, 50, 57, 61]))
def test_wide_numbers_sort_exactly_like_narrow_ones(problem: Problem, bits: int) -> None:
    """Numbers spread over ``bits`` bits take the packed, the ranked or the lexsort path
    of the sort; the order they give, and so the admission, is the same."""
    largest = max([*problem.tiebreak.values(), *(problem.school_tiebreak or {}).values(), 0])
    scale = max(1, 2**bits // (largest + 1))
    wide = replace(
        problem,
        tiebreak={c: n * scale for c, n in problem.tiebreak.items()},
        school_tiebreak=None
        if problem.school_tiebreak is None
        else {k: n * scale for k, n in problem.school_tiebreak.items()},
    )
    for mechanism in ("da", "boston"):
        assert solve(wide, mechanism).assignment == solve(problem, mechanism).assignment  # type: ignore[arg-type]
