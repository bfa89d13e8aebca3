"""Properties every admission must have, on many generated problems."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.admission import Problem, Result, solve
from sunshine.engine.admission.tests import reference
from sunshine.engine.admission.tests.strategies import problems

MECHANISM = st.sampled_from(["da", "boston"])


def preferred_to_assignment(problem: Problem, result: Result, child: str) -> list[str]:
    """The schools ``child`` listed above the one it got (all of them if unplaced)."""
    listed = reference.preferences(problem)[child]
    placed = result.assignment[child]
    return listed if placed is None else listed[: listed.index(placed)]


@settings(max_examples=150, deadline=None)
@given(problems(), MECHANISM, st.booleans())
def test_children_only_get_schools_they_listed(
    problem: Problem, mechanism: str, together: bool
) -> None:
    result = solve(problem, mechanism, siblings_together=together)  # type: ignore[arg-type]
    prefs = reference.preferences(problem)
    for child, school in result.assignment.items():
        assert school is None or school in prefs[child]
    assert set(result.assignment) == set(prefs)


@settings(max_examples=150, deadline=None)
@given(problems(), MECHANISM, st.booleans())
def test_capacity_is_exceeded_only_by_a_family_tied_at_the_cutoff(
    problem: Problem, mechanism: str, together: bool
) -> None:
    result = solve(problem, mechanism, siblings_together=together)  # type: ignore[arg-type]
    key = reference.keys(problem, together)
    admitted = Counter(s for s in result.assignment.values() if s is not None)
    for school, count in admitted.items():
        capacity = problem.capacities[school]
        if count <= capacity:
            continue
        assert together
        groups = Counter(key[(c, school)] for c, s in result.assignment.items() if s == school)
        # The excess is one tied family, admitted whole at the last seat; under deferred
        # acceptance it is the family at the cutoff.
        tied = max(groups) if mechanism == "da" else max(groups, key=lambda k: groups[k])
        assert groups[tied] > 1
        assert count - groups[tied] < capacity


@settings(max_examples=200, deadline=None)
@given(problems(), MECHANISM, st.booleans())
def test_no_seat_is_wasted(problem: Problem, mechanism: str, together: bool) -> None:
    """A school a child wanted more than its place never has a seat left."""
    result = solve(problem, mechanism, siblings_together=together)  # type: ignore[arg-type]
    admitted = Counter(s for s in result.assignment.values() if s is not None)
    for child in result.assignment:
        for school in preferred_to_assignment(problem, result, child):
            assert admitted[school] >= problem.capacities[school]


@settings(max_examples=200, deadline=None)
@given(problems(), st.booleans())
def test_deferred_acceptance_leaves_no_justified_envy(problem: Problem, together: bool) -> None:
    """Nobody is refused a school that admitted a child it ranks lower."""
    result = solve(problem, "da", siblings_together=together)
    key = reference.keys(problem, together)
    for child in result.assignment:
        for school in preferred_to_assignment(problem, result, child):
            for other, placed in result.assignment.items():
                if placed == school:
                    assert key[(other, school)] < key[(child, school)]


@settings(max_examples=100, deadline=None)
@given(problems(reserves=True), st.booleans())
def test_deferred_acceptance_is_stable_under_reserves(problem: Problem, together: bool) -> None:
    """No child and school would both rather be together: the school's own choice among
    its admitted children plus the child never takes the child."""
    result = solve(problem, "da", siblings_together=together)
    key = reference.keys(problem, together)
    for child in result.assignment:
        for school in preferred_to_assignment(problem, result, child):
            holders = [c for c, s in result.assignment.items() if s == school]
            applicants = [*holders, child]
            key_of = {c: key[(c, school)] for c in applicants}
            seats = reference.initial_seats(problem, school)
            chosen, _ = reference.choose(problem, school, applicants, key_of, seats)
            assert child not in chosen


@settings(max_examples=100, deadline=None)
@given(problems(reserves=True), st.sampled_from(["da", "boston"]), st.booleans(), st.randoms())
def test_result_does_not_depend_on_input_order(
    problem: Problem, mechanism: str, together: bool, shuffler: random.Random
) -> None:
    applications = list(problem.applications)
    shuffler.shuffle(applications)
    capacities = list(problem.capacities.items())
    shuffler.shuffle(capacities)
    tiebreak = list(problem.tiebreak.items())
    shuffler.shuffle(tiebreak)
    shuffled = replace(
        problem, applications=applications, capacities=dict(capacities), tiebreak=dict(tiebreak)
    )
    first = solve(problem, mechanism, siblings_together=together)  # type: ignore[arg-type]
    again = solve(problem, mechanism, siblings_together=together)  # type: ignore[arg-type]
    other = solve(shuffled, mechanism, siblings_together=together)  # type: ignore[arg-type]
    assert first == again
    assert first.assignment == other.assignment
    assert first.schools == other.schools
    assert dict(first.explanations) == dict(other.explanations)


@settings(max_examples=100, deadline=None)
@given(problems(), MECHANISM)
def test_explanations_agree_with_the_assignment(problem: Problem, mechanism: str) -> None:
    result = solve(problem, mechanism)  # type: ignore[arg-type]
    prefs = reference.preferences(problem)
    for child, explanations in result.explanations.items():
        assert [e.school_id for e in explanations] == prefs[child]
        assert [e.rank for e in explanations] == list(range(1, len(prefs[child]) + 1))
        admitted = [e.school_id for e in explanations if e.admitted]
        assert admitted == ([] if result.assignment[child] is None else [result.assignment[child]])
        placed = result.assignment[child]
        for e in explanations:
            above = placed is None or e.rank < prefs[child].index(placed) + 1
            if e.admitted:
                assert e.outcome == "admitted"
            elif above:
                assert e.outcome in {"below_cutoff", "filled_in_earlier_round"}
                outcome = result.schools[e.school_id]
                assert outcome.full
                if e.outcome == "below_cutoff" and mechanism == "da":
                    assert e.cutoff is not None or outcome.capacity == 0
                    if e.cutoff is not None:
                        assert (e.priority, e.tiebreak) >= (e.cutoff.priority, e.cutoff.tiebreak)
            else:
                assert e.outcome == "better_choice_admitted"
