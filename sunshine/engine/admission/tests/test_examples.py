"""Worked examples of each rule, with expectations reasoned out by hand."""

from __future__ import annotations

import math

import pytest

from sunshine.engine.admission import (
    EARTH_RADIUS_M,
    Application,
    Problem,
    ProblemError,
    Reserve,
    Stage,
    coordinated_placement,
    solve,
    solve_stages,
)
from sunshine.engine.admission.chances import estimate_chances
from sunshine.engine.admission.waitlist import fill_released_seats, waitlists


def first_choices(capacities: dict[str, int], rows: list[tuple[str, str, int, int]]) -> Problem:
    """Each row (child, school, priority, number) is a child's only choice."""
    return Problem(
        capacities=capacities,
        tiebreak={child: number for child, _, _, number in rows},
        applications=[Application(child, 1, school, p) for child, school, p, _ in rows],
    )


class TestTwins:
    def problem(self, twin_priorities: tuple[int, int] = (1, 1)) -> Problem:
        base = first_choices(
            {"A": 1},
            [
                ("t1", "A", twin_priorities[0], 4),
                ("t2", "A", twin_priorities[1], 9),
                ("o", "A", 1, 6),
            ],
        )
        return Problem(
            base.capacities, base.tiebreak, base.applications, sibling_groups=[("t1", "t2")]
        )

    def test_twins_share_the_family_number_and_go_in_together_over_capacity(self) -> None:
        result = solve(self.problem())
        assert result.assignment == {"t1": "A", "t2": "A", "o": None}
        assert result.schools["A"].admitted == 2 and result.schools["A"].capacity == 1
        assert [e.tiebreak for e in result.explanations["t2"]] == [4]

    def test_the_rule_can_be_switched_off(self) -> None:
        result = solve(self.problem(), siblings_together=False)
        assert result.assignment == {"t1": "A", "t2": None, "o": None}

    def test_a_twin_with_a_worse_category_is_not_carried_in(self) -> None:
        result = solve(self.problem(twin_priorities=(1, 2)))
        assert result.assignment == {"t1": "A", "t2": None, "o": None}

    def test_multiple_tie_breaking_uses_the_family_best_number_at_each_school(self) -> None:
        problem = Problem(
            capacities={"A": 1},
            tiebreak={},
            applications=[Application(c, 1, "A", 1) for c in ("t1", "t2", "o")],
            school_tiebreak={("t1", "A"): 7, ("t2", "A"): 3, ("o", "A"): 5},
            sibling_groups=[("t1", "t2")],
        )
        assert solve(problem).assignment == {"t1": "A", "t2": "A", "o": None}


class TestReserves:
    rows = [
        ("n1", "R", 1, 1),
        ("n2", "R", 1, 2),
        ("n3", "R", 1, 3),
        ("e1", "R", 1, 0),
        ("e2", "R", 1, 5),
    ]

    def problem(
        self, order: str, seats: int = 1, eligible: tuple[str, ...] = ("e1", "e2")
    ) -> Problem:
        base = first_choices({"R": 3}, self.rows)
        reserve = Reserve("R", seats, frozenset(eligible))
        return Problem(
            base.capacities,
            base.tiebreak,
            base.applications,
            reserves=[reserve],
            reserve_order=order,
        )  # type: ignore[arg-type]

    def admitted(self, problem: Problem) -> set[str]:
        return {c for c, s in solve(problem).assignment.items() if s == "R"}

    def test_reserved_first_lets_the_best_eligible_child_use_the_reserve(self) -> None:
        # Reserve: e1 (best number of all). Open seats: n1, n2.
        assert self.admitted(self.problem("reserved_first")) == {"e1", "n1", "n2"}

    def test_open_first_lets_the_best_eligible_child_take_an_open_seat(self) -> None:
        # Open seats: e1, n1. Reserve: the eligible child left, e2.
        assert self.admitted(self.problem("open_first")) == {"e1", "n1", "e2"}

    def test_unused_reserved_seats_are_released_to_everybody(self) -> None:
        # Two reserved seats, one eligible child (e1): the spare reserved seat goes to n2.
        assert self.admitted(self.problem("reserved_first", 2, ("e1",))) == {"e1", "n1", "n2"}
        # Nobody eligible applied: all three seats are open in effect.
        assert self.admitted(self.problem("open_first", 2, ("nobody",))) == {"e1", "n1", "n2"}


def test_private_stage_first_and_placed_children_leave_the_public_stage() -> None:
    private = first_choices({"P": 1}, [("a", "P", 1, 1), ("b", "P", 1, 2)])
    public = Problem(
        capacities={"Z": 2},
        tiebreak={"a": 1, "c": 3, "d": 4},
        applications=[Application(c, 1, "Z", 1) for c in ("a", "c", "d")],
    )
    staged = solve_stages([Stage("private", private), Stage("public", public)])
    # a wins the private lottery, so its public application no longer takes a seat.
    assert staged.assignment == {"a": "P", "b": None, "c": "Z", "d": "Z"}
    assert staged.stages["public"].explanations["a"] == ()


class TestCoordinatedPlacement:
    schools = {"near": (29.00, 111.70), "far": (29.02, 111.70), "also_far": (29.02, 111.70)}

    def test_one_degree_of_latitude_is_pi_r_over_180(self) -> None:
        import numpy as np

        from sunshine.engine.admission import distances_m

        metres = distances_m(np.array([[0.0, 111.7]]), np.array([[1.0, 111.7]]))[0, 0]
        assert metres == pytest.approx(math.pi * EARTH_RADIUS_M / 180, rel=1e-12)

    def test_each_child_in_order_takes_the_nearest_school_with_a_seat(self) -> None:
        homes = {
            "x": (29.001, 111.70),
            "y": (29.001, 111.70),
            "z": (29.001, 111.70),
            "w": (29.0, 111.7),
        }
        placed = coordinated_placement(
            ["x", "y", "z", "w"], homes, self.schools, {"near": 1, "far": 1, "also_far": 1}
        )
        # x takes the one seat at "near"; "far" and "also_far" are equally far, and the
        # smaller id ("also_far") comes first; then "far"; then no seat is left.
        assert placed == {"x": "near", "y": "also_far", "z": "far", "w": None}

    def test_a_sibling_follows_even_to_a_full_school(self) -> None:
        homes = {"t1": (29.0, 111.7), "t2": (29.0, 111.7)}
        placed = coordinated_placement(
            ["t1", "t2"], homes, self.schools, {"near": 1, "far": 5}, sibling_groups=[("t1", "t2")]
        )
        assert placed == {"t1": "near", "t2": "near"}


class TestWaitlists:
    def problem(self) -> Problem:
        return Problem(
            capacities={"A": 1, "B": 1},
            tiebreak={"x": 1, "y": 2, "z": 0},
            applications=[
                Application("x", 1, "A", 1),
                Application("y", 1, "A", 1),
                Application("z", 1, "A", 2),
                Application("z", 2, "B", 2),
            ],
        )

    def test_waitlist_is_in_priority_order_and_says_who_holds_a_place(self) -> None:
        result = solve(self.problem())
        assert result.assignment == {"x": "A", "y": None, "z": "B"}
        entries = waitlists(result)["A"]
        assert [(e.student_id, e.placed_at) for e in entries] == [("y", None), ("z", "B")]

    def test_released_seats_go_to_unplaced_children_without_moving_anybody(self) -> None:
        problem = self.problem()
        result = solve(problem)
        filled = fill_released_seats(problem, result, {"A": 2})
        assert filled.newly_admitted == {"y": "A"}
        assert filled.assignment == {"x": "A", "y": "A", "z": "B"}
        assert filled.seats_left["A"] == 1


class TestChances:
    def test_chances_are_a_fair_share_of_an_oversubscribed_school(self) -> None:
        problem = first_choices({"A": 1}, [(c, "A", 1, i) for i, c in enumerate("abcd")])
        seeds = [b"chance-%d" % i for i in range(400)]
        chances = estimate_chances(problem, seeds)
        # Exactly one child is admitted per lottery.
        assert sum(chances.values()) == pytest.approx(1.0)
        for value in chances.values():
            assert 0.15 < value < 0.35
        assert estimate_chances(problem, seeds) == chances

    def test_a_better_category_is_certain_and_a_family_shares_its_fate(self) -> None:
        problem = Problem(
            capacities={"A": 2},
            tiebreak={"first": 0, "t1": 1, "t2": 2, "o": 3},
            applications=[
                Application("first", 1, "A", 1),
                *(Application(c, 1, "A", 2) for c in ("t1", "t2", "o")),
            ],
            sibling_groups=[("t1", "t2")],
        )
        chances = estimate_chances(problem, [b"s%d" % i for i in range(200)])
        assert chances[("first", "A")] == 1.0
        assert chances[("t1", "A")] == chances[("t2", "A")]
        # One seat is left: either the twins (over capacity) or o gets it.
        assert chances[("t1", "A")] + chances[("o", "A")] == pytest.approx(1.0)
        assert 0.3 < chances[("o", "A")] < 0.7


def test_chances_under_multiple_tie_breaking_keep_families_per_school() -> None:
    children = ("t1", "t2", "a", "b")
    problem = Problem(
        capacities={"A": 1, "B": 2},
        tiebreak={},
        applications=[Application(c, r, s, 1) for c in children for r, s in ((1, "A"), (2, "B"))],
        school_tiebreak={(c, s): i for i, c in enumerate(children) for s in "AB"},
        sibling_groups=[("t1", "t2")],
    )
    chances = estimate_chances(problem, [b"m%d" % i for i in range(300)])
    for school in "AB":
        assert chances[("t1", school)] == chances[("t2", school)]
    # A's one seat goes to the twins (both) or to a or to b: three equally likely families.
    assert chances[("a", "A")] + chances[("b", "A")] + chances[("t1", "A")] == pytest.approx(1.0)
    assert 0.2 < chances[("a", "A")] < 0.47


def test_large_numbers_sort_like_small_ones() -> None:
    rows = [("a", "A", 1, 3), ("b", "A", 1, 1), ("c", "A", 2, 0), ("d", "B", 1, 2)]
    small = first_choices({"A": 1, "B": 1}, rows)
    huge = first_choices({"A": 1, "B": 1}, [(c, s, p, n * 2**60 - 2**62) for c, s, p, n in rows])
    assert (
        solve(small).assignment
        == solve(huge).assignment
        == {"a": None, "b": "A", "c": None, "d": "B"}
    )


@pytest.mark.parametrize(
    ("applications", "capacities", "message"),
    [
        ([Application("a", 2, "A", 1)], {"A": 1}, "ranks of child 'a' must be 1..1"),
        (
            [Application("a", 1, "A", 1), Application("a", 1, "B", 1)],
            {"A": 1, "B": 1},
            "two choices with rank 1",
        ),
        (
            [Application("a", 1, "A", 1), Application("a", 2, "A", 1)],
            {"A": 1},
            "lists a school twice",
        ),
        ([Application("a", 1, "X", 1)], {"A": 1}, "unknown school 'X'"),
        ([Application("a", 1, "A", 1)], {"A": -1}, "capacity of school 'A' is negative"),
        ([Application("zz", 1, "A", 1)], {"A": 1}, "no tie-break number for child 'zz'"),
    ],
)
def test_malformed_problems_are_refused_with_a_clear_message(
    applications: list[Application], capacities: dict[str, int], message: str
) -> None:
    with pytest.raises(ProblemError, match=message):
        solve(Problem(capacities, {"a": 1}, applications))


def test_serial_dictatorship_needs_one_score_rank_per_child() -> None:
    problem = Problem(
        {"A": 1, "B": 1}, {"a": 1}, [Application("a", 1, "A", 1), Application("a", 2, "B", 2)]
    )
    with pytest.raises(ProblemError, match="one priority per child; child 'a'"):
        solve(problem, "serial")
    with pytest.raises(ProblemError, match="unknown mechanism"):
        solve(problem, "lottery")  # type: ignore[arg-type]


def test_serial_dictatorship_serves_the_better_score_first() -> None:
    # Scores ranked: b (1) before a (2); both want A first, one seat each.
    problem = Problem(
        {"A": 1, "B": 1},
        {"a": 0, "b": 1},
        [
            Application("a", 1, "A", 2),
            Application("a", 2, "B", 2),
            Application("b", 1, "A", 1),
            Application("b", 2, "B", 1),
        ],
    )
    assert solve(problem, "serial").assignment == {"a": "B", "b": "A"}


def test_numbers_come_from_the_public_draw_with_twins_as_one_entry() -> None:
    from sunshine.engine.admission import numbers_from_draw, numbers_from_school_draws
    from sunshine.engine.lottery import draw

    entry_of = {"t1": "F1", "t2": "F1", "a": "F2", "b": "F3"}
    drawn = draw(["F1", "F2", "F3"], b"an unofficial seed for a test").numbers
    numbers = numbers_from_draw(drawn, entry_of)
    assert numbers["t1"] == numbers["t2"] == drawn["F1"]
    assert sorted({numbers[c] for c in entry_of}) == [1, 2, 3]
    per_school = numbers_from_school_draws({"A": drawn}, entry_of)
    assert per_school[("a", "A")] == drawn["F2"]
    problem = Problem(
        capacities={"A": 1},
        tiebreak={},
        applications=[Application(c, 1, "A", 1) for c in entry_of],
        school_tiebreak=per_school,
    )
    admitted = {c for c, s in solve(problem).assignment.items() if s == "A"}
    winner = min(drawn, key=lambda entry: drawn[entry])
    assert admitted == {c for c, e in entry_of.items() if e == winner}
    with pytest.raises(ProblemError, match="not in the draw"):
        numbers_from_draw(drawn, {"x": "F9"})
