"""The shapes of an admission problem and of its result (plain, immutable data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Mechanism = Literal["da", "boston", "serial"]
MECHANISMS: tuple[Mechanism, ...] = ("da", "boston", "serial")

ReserveOrder = Literal["reserved_first", "open_first"]

# Why a child was, or was not, admitted at one school it listed.
Outcome = Literal[
    "admitted",  # placed at this school
    "better_choice_admitted",  # placed at a school it ranked higher; this one never mattered
    "below_cutoff",  # the school filled with children ranked before this child
    "filled_in_earlier_round",  # Boston only: the school was full before this child applied
]


class ProblemError(ValueError):
    """The problem is malformed; the message names the child, school or field."""


@dataclass(frozen=True, slots=True)
class Application:
    """One ranked choice: ``rank`` 1 is the first choice; lower ``priority`` wins."""

    student_id: str
    rank: int
    school_id: str
    priority: int


@dataclass(frozen=True, slots=True)
class Reserve:
    """Seats of a school reserved for the ``eligible`` children (a quota).

    The school's capacity includes these seats. Seats the eligible children do not
    take are released to the open seats.
    """

    school_id: str
    seats: int
    eligible: frozenset[str]
    name: str = "reserved"


@dataclass(frozen=True)
class Problem:
    """Everything an admission run needs.

    * ``capacities``: seats per school (reserved seats included).
    * ``tiebreak``: single tie-breaking, one lottery number per child; lower wins.
    * ``school_tiebreak``: multiple tie-breaking, one number per (child, school); when
      given it is used for every application instead of ``tiebreak``.
    * ``sibling_groups``: twins and multiple births. Their numbers are unified to the
      group's best (smallest) number, per school, so they share one lottery number.
      (With single tie-breaking one number for all schools.) Children with equal
      numbers are treated as one family in any case.
    * ``reserves`` and ``reserve_order``: quotas and the order in which a school fills
      its reserved and open seats.
    """

    capacities: Mapping[str, int]
    tiebreak: Mapping[str, int]
    applications: Sequence[Application]
    school_tiebreak: Mapping[tuple[str, str], int] | None = None
    sibling_groups: Sequence[tuple[str, ...]] = ()
    reserves: Sequence[Reserve] = ()
    reserve_order: ReserveOrder = "reserved_first"


@dataclass(frozen=True, slots=True, order=True)
class Cutoff:
    """Priority and lottery number of the last child admitted at a school."""

    priority: int
    tiebreak: int


@dataclass(frozen=True, slots=True)
class SchoolOutcome:
    """How one school filled.

    ``full`` is true when the school admitted at least its capacity (more only by the
    twins rule); when it is false every child who reached it was admitted.
    ``filled_in_round`` is set by the Boston mechanism: the round it became full.
    """

    school_id: str
    capacity: int
    admitted: int
    cutoff: Cutoff | None
    full: bool
    filled_in_round: int | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """The answer to "why (not) this school?" for one child and one listed school."""

    student_id: str
    school_id: str
    rank: int
    priority: int
    tiebreak: int
    admitted: bool
    outcome: Outcome
    cutoff: Cutoff | None


@dataclass(frozen=True)
class Result:
    """An admission: where each child goes, how each school filled, and why.

    ``assignment`` holds every child of the problem (``None`` when unplaced);
    ``explanations`` lists, per child, one entry per listed school in rank order.
    """

    mechanism: Mechanism
    assignment: Mapping[str, str | None]
    schools: Mapping[str, SchoolOutcome]
    explanations: Mapping[str, tuple[Explanation, ...]] = field(repr=False)

    @property
    def cutoffs(self) -> dict[str, Cutoff | None]:
        return {school_id: outcome.cutoff for school_id, outcome in self.schools.items()}

    @property
    def unplaced(self) -> list[str]:
        return sorted(student for student, school in self.assignment.items() if school is None)

    def seats_left(self) -> dict[str, int]:
        """Seats still free per school (never negative)."""
        return {
            school_id: max(0, outcome.capacity - outcome.admitted)
            for school_id, outcome in self.schools.items()
        }
