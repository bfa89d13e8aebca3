"""Waitlists after an admission, and filling seats released later.

A released seat (a no-show, a withdrawal, seats added before the supplementary round)
goes to the best child on that school's waitlist who has no place yet. Nobody who holds
a place is moved, so a published admission only ever grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sunshine.engine.admission.model import Problem, ProblemError, Result
from sunshine.engine.admission.solve import solve


@dataclass(frozen=True, slots=True)
class WaitlistEntry:
    """A child who listed the school, was not admitted there and would rather be there.

    ``placed_at`` is the school the child holds (ranked lower), or ``None``.
    """

    student_id: str
    priority: int
    tiebreak: int
    rank: int
    placed_at: str | None


@dataclass(frozen=True)
class Filled:
    """The admission after released seats were filled."""

    assignment: dict[str, str | None]
    newly_admitted: dict[str, str]
    seats_left: dict[str, int]


def waitlists(result: Result) -> dict[str, tuple[WaitlistEntry, ...]]:
    """Per school, in priority order: (priority, tie-break number, child id)."""
    lists: dict[str, list[WaitlistEntry]] = {school: [] for school in result.schools}
    for student_id, explanations in result.explanations.items():
        placed_at = result.assignment[student_id]
        for explanation in explanations:
            if explanation.admitted:
                break
            lists[explanation.school_id].append(
                WaitlistEntry(
                    student_id,
                    explanation.priority,
                    explanation.tiebreak,
                    explanation.rank,
                    placed_at,
                )
            )
    return {
        school: tuple(sorted(entries, key=lambda e: (e.priority, e.tiebreak, e.student_id)))
        for school, entries in lists.items()
    }


def fill_released_seats(
    problem: Problem,
    result: Result,
    released: Mapping[str, int],
    *,
    siblings_together: bool = True,
) -> Filled:
    """Give ``released`` seats (per school) to unplaced children on the waitlists.

    The unplaced children compete for the released seats by deferred acceptance over
    the schools they listed, with their original priorities and numbers, so a child
    gets the best released seat its rank in the waitlists allows.
    """
    for school_id, seats in released.items():
        if school_id not in result.schools:
            raise ProblemError(f"seats released at unknown school {school_id!r}")
        if seats < 0:
            raise ProblemError(f"negative number of seats released at {school_id!r}")
    unplaced = {child for child, school in result.assignment.items() if school is None}
    capacities = {school: int(released.get(school, 0)) for school in result.schools}
    waiting = [a for a in problem.applications if a.student_id in unplaced]
    second_chance = replace(
        problem,
        capacities=capacities,
        applications=waiting,
        tiebreak={c: n for c, n in problem.tiebreak.items() if c in unplaced},
        sibling_groups=[
            tuple(member for member in group if member in unplaced)
            for group in problem.sibling_groups
        ],
        reserves=(),
    )
    filled = solve(second_chance, "da", siblings_together=siblings_together)
    newly = {child: school for child, school in filled.assignment.items() if school is not None}
    assignment = dict(result.assignment)
    assignment.update(newly)
    return Filled(assignment, newly, filled.seats_left())
