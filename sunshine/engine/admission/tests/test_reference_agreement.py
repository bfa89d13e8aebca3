"""The vectorised mechanisms agree with plain one-proposal-at-a-time implementations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.admission import Problem, solve
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
