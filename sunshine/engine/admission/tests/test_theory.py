"""Deferred acceptance against the theory, checked by brute force on tiny cities.

* Gale and Shapley (1962): the outcome is stable and every child weakly prefers it to
  any other stable matching (student-optimality).
* Dubins and Freedman (1981), Roth (1982): no child gains by misreporting.
* Abdulkadiroğlu and Sönmez (2003): the Boston mechanism is manipulable.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.admission import Application, Problem, solve
from sunshine.engine.admission.tests import reference
from sunshine.engine.admission.tests.strategies import problems


def all_matchings(problem: Problem) -> list[dict[str, str | None]]:
    """Every assignment of children to a listed school or none, within capacity."""
    prefs = reference.preferences(problem)
    children = sorted(prefs)
    options = [[None, *prefs[child]] for child in children]
    found = []
    for choice in itertools.product(*options):
        load: dict[str, int] = {}
        for school in choice:
            if school is not None:
                load[school] = load.get(school, 0) + 1
        if all(load[s] <= problem.capacities[s] for s in load):
            found.append(dict(zip(children, choice, strict=True)))
    return found


def is_stable(problem: Problem, matching: dict[str, str | None]) -> bool:
    prefs = reference.preferences(problem)
    key = reference.keys(problem, siblings_together=False)
    for child, listed in prefs.items():
        placed = matching[child]
        better = listed if placed is None else listed[: listed.index(placed)]
        for school in better:
            holders = [c for c, s in matching.items() if s == school]
            if len(holders) < problem.capacities[school]:
                return False
            if any(key[(h, school)] > key[(child, school)] for h in holders):
                return False
    return True


def standing(listed: list[str], school: str | None) -> int:
    """Position of ``school`` in a child's true list; unplaced comes next, and a school
    the child did not truly list (unacceptable to it) last."""
    if school is None:
        return len(listed)
    return listed.index(school) if school in listed else len(listed) + 1


@settings(max_examples=120, deadline=None)
@given(problems(max_children=5, max_schools=3, twins=False))
def test_deferred_acceptance_is_the_student_optimal_stable_matching(problem: Problem) -> None:
    result = solve(problem, "da", siblings_together=False)
    assert is_stable(problem, dict(result.assignment))
    prefs = reference.preferences(problem)
    for matching in all_matchings(problem):
        if is_stable(problem, matching):
            for child, listed in prefs.items():
                assert standing(listed, result.assignment[child]) <= standing(
                    listed, matching[child]
                )


@st.composite
def full_priority_cities(draw: st.DrawFn) -> tuple[Problem, dict[tuple[str, str], int]]:
    """A tiny city where every child has a priority at every school, listed or not."""
    n_children = draw(st.integers(2, 4))
    schools = [f"s{j}" for j in range(draw(st.integers(2, 3)))]
    children = [f"c{i}" for i in range(n_children)]
    priority = {(c, s): draw(st.integers(1, 2)) for c in children for s in schools}
    applications = []
    for child in children:
        listed = draw(st.permutations(schools))[: draw(st.integers(1, len(schools)))]
        applications += [
            Application(child, rank, school, priority[(child, school)])
            for rank, school in enumerate(listed, start=1)
        ]
    problem = Problem(
        capacities={s: draw(st.integers(1, 2)) for s in schools},
        tiebreak=dict(zip(children, draw(st.permutations(range(n_children))), strict=True)),
        applications=applications,
    )
    return problem, priority


def reports(schools: list[str]) -> list[tuple[str, ...]]:
    """Every ranked list a child could submit."""
    return [p for k in range(len(schools) + 1) for p in itertools.permutations(schools, k)]


def with_report(
    problem: Problem, priority: dict[tuple[str, str], int], child: str, report: tuple[str, ...]
) -> Problem:
    others = [a for a in problem.applications if a.student_id != child]
    mine = [Application(child, r, s, priority[(child, s)]) for r, s in enumerate(report, 1)]
    return Problem(problem.capacities, problem.tiebreak, [*others, *mine])


@settings(max_examples=60, deadline=None)
@given(full_priority_cities())
def test_no_child_gains_by_misreporting_under_deferred_acceptance(
    city: tuple[Problem, dict[tuple[str, str], int]],
) -> None:
    problem, priority = city
    prefs = reference.preferences(problem)
    truthful = solve(problem, "da").assignment
    for child, listed in prefs.items():
        for report in reports(sorted(problem.capacities)):
            lied = solve(with_report(problem, priority, child, report), "da").assignment
            assert standing(listed, truthful[child]) <= standing(listed, lied[child])


def boston_example() -> tuple[Problem, dict[tuple[str, str], int]]:
    """Three schools of one seat; a and b both want S first, b has the worse number at S
    but a better one than c at T, which c ranks first."""
    true_lists = {"a": ("S", "T", "U"), "b": ("S", "T", "U"), "c": ("T", "S", "U")}
    priority = {(c, s): 1 for c in true_lists for s in "STU"}
    applications = [
        Application(child, rank, school, 1)
        for child, listed in true_lists.items()
        for rank, school in enumerate(listed, start=1)
    ]
    problem = Problem({"S": 1, "T": 1, "U": 1}, {"a": 1, "b": 2, "c": 3}, applications)
    return problem, priority


def test_boston_rewards_a_found_misreport_that_deferred_acceptance_does_not() -> None:
    problem, priority = boston_example()
    prefs = reference.preferences(problem)
    truthful = solve(problem, "boston").assignment
    # Truthful b loses S to a in round 1 and finds T taken by c in round 1: U.
    assert truthful == {"a": "S", "b": "U", "c": "T"}
    gains = [
        (child, report)
        for child, listed in prefs.items()
        for report in reports(["S", "T", "U"])
        if standing(
            listed, solve(with_report(problem, priority, child, report), "boston").assignment[child]
        )
        < standing(listed, truthful[child])
    ]
    # Ranking T first, b beats c there in round 1 and gets its true second choice.
    assert ("b", ("T",)) in gains and ("b", ("T", "S", "U")) in gains
    da_truthful = solve(problem, "da").assignment
    assert da_truthful == {"a": "S", "b": "T", "c": "U"}
    for child, listed in prefs.items():
        for report in reports(["S", "T", "U"]):
            lied = solve(with_report(problem, priority, child, report), "da").assignment
            assert standing(listed, da_truthful[child]) <= standing(listed, lied[child])


def test_boston_explains_a_school_filled_before_the_child_applied() -> None:
    problem, _ = boston_example()
    result = solve(problem, "boston")
    b = {e.school_id: e.outcome for e in result.explanations["b"]}
    assert b == {"S": "below_cutoff", "T": "filled_in_earlier_round", "U": "admitted"}
    assert result.schools["T"].filled_in_round == 1
