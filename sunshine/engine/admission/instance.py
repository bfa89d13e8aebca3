"""The array form of a problem, which the mechanisms work on.

Children and schools are numbered in the sorted order of their ids, and each child's
applications are stored contiguously in rank order, so the result never depends on
the order in which the input was given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sunshine.engine.admission.model import Problem, ProblemError, ReserveOrder

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True, eq=False)
class ReserveSeats:
    """Reserved seats of school ``school`` (an index) for the children marked ``eligible``."""

    school: int
    seats: int
    eligible: BoolArray
    name: str = "reserved"


@dataclass(frozen=True, eq=False)
class Instance:
    """A problem as arrays.

    Application ``a`` of child ``c`` lies in ``offsets[c] <= a < offsets[c + 1]``, in
    rank order; ``app_number`` is the tie-break number that applies to it (shared
    within a family).
    """

    student_ids: Sequence[str]
    school_ids: Sequence[str]
    capacity: IntArray
    offsets: IntArray
    app_school: IntArray
    app_priority: IntArray
    app_number: IntArray
    reserves: tuple[ReserveSeats, ...] = ()
    reserve_order: ReserveOrder = "reserved_first"

    @property
    def n_students(self) -> int:
        return len(self.student_ids)

    @property
    def n_schools(self) -> int:
        return len(self.school_ids)

    @property
    def n_applications(self) -> int:
        return int(self.app_school.size)

    def app_student(self) -> IntArray:
        return np.repeat(np.arange(self.n_students, dtype=np.int64), np.diff(self.offsets))

    def app_rank(self) -> IntArray:
        """1-based rank of every application."""
        return np.arange(self.n_applications, dtype=np.int64) - self.offsets[self.app_student()] + 1

    def with_numbers(self, app_number: IntArray) -> Instance:
        """The same instance with other tie-break numbers (a fresh lottery)."""
        return Instance(
            self.student_ids,
            self.school_ids,
            self.capacity,
            self.offsets,
            self.app_school,
            self.app_priority,
            app_number,
            self.reserves,
            self.reserve_order,
        )


def _check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ProblemError(f"{what} must be an integer, not {value!r}")
    number = int(value)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ProblemError(f"{what} {number} is outside the 64-bit range")
    return number


def encode(problem: Problem) -> Instance:
    """Validate ``problem`` and turn it into arrays; raises ``ProblemError``."""
    for school_id, seats in problem.capacities.items():
        if _check_int(seats, f"capacity of school {school_id!r}") < 0:
            raise ProblemError(f"capacity of school {school_id!r} is negative: {seats}")
    school_ids = tuple(sorted(problem.capacities))
    school_index = {school_id: i for i, school_id in enumerate(school_ids)}

    choices: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)
    for application in problem.applications:
        student, school = application.student_id, application.school_id
        rank = _check_int(application.rank, f"rank of {student!r} at {school!r}")
        priority = _check_int(application.priority, f"priority of {student!r} at {school!r}")
        if school not in school_index:
            raise ProblemError(f"child {student!r} applies to unknown school {school!r}")
        if rank in choices[student]:
            raise ProblemError(f"child {student!r} has two choices with rank {rank}")
        choices[student][rank] = (school, priority)

    student_ids = tuple(sorted(set(problem.tiebreak) | set(choices)))
    lengths = np.zeros(len(student_ids), dtype=np.int64)
    schools: list[int] = []
    priorities: list[int] = []
    for position, student in enumerate(student_ids):
        ranked = choices.get(student, {})
        if sorted(ranked) != list(range(1, len(ranked) + 1)):
            raise ProblemError(
                f"ranks of child {student!r} must be 1..{len(ranked)}, not {sorted(ranked)}"
            )
        listed = [ranked[rank][0] for rank in range(1, len(ranked) + 1)]
        if len(set(listed)) != len(listed):
            raise ProblemError(f"child {student!r} lists a school twice")
        lengths[position] = len(listed)
        schools.extend(school_index[school] for school in listed)
        priorities.extend(ranked[rank][1] for rank in range(1, len(ranked) + 1))
    offsets = np.zeros(len(student_ids) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])

    numbers = _tiebreak_numbers(problem, student_ids, offsets, schools, school_ids)
    return Instance(
        student_ids=student_ids,
        school_ids=school_ids,
        capacity=np.array([problem.capacities[s] for s in school_ids], dtype=np.int64),
        offsets=offsets,
        app_school=np.array(schools, dtype=np.int64),
        app_priority=np.array(priorities, dtype=np.int64),
        app_number=numbers,
        reserves=_reserve_seats(problem, student_ids, school_index),
        reserve_order=problem.reserve_order,
    )


def _tiebreak_numbers(
    problem: Problem,
    student_ids: Sequence[str],
    offsets: IntArray,
    schools: list[int],
    school_ids: Sequence[str],
) -> IntArray:
    numbers: list[int] = []
    for position, student in enumerate(student_ids):
        for app in range(int(offsets[position]), int(offsets[position + 1])):
            school = school_ids[schools[app]]
            if problem.school_tiebreak is not None:
                if (student, school) not in problem.school_tiebreak:
                    raise ProblemError(f"no tie-break number for child {student!r} at {school!r}")
                value = problem.school_tiebreak[(student, school)]
            else:
                if student not in problem.tiebreak:
                    raise ProblemError(f"no tie-break number for child {student!r}")
                value = problem.tiebreak[student]
            numbers.append(_check_int(value, f"tie-break number of {student!r}"))
    # Siblings share one number: the family's best. One lottery for all schools (single
    # tie-breaking) gives one number everywhere; a lottery per school, one per school.
    student_index = {student: i for i, student in enumerate(student_ids)}
    for group in problem.sibling_groups:
        unknown = [member for member in group if member not in student_index]
        if unknown:
            raise ProblemError(f"sibling group {tuple(group)!r} names unknown children {unknown!r}")
        apps = [
            app
            for member in group
            for app in range(
                int(offsets[student_index[member]]), int(offsets[student_index[member] + 1])
            )
        ]
        if problem.school_tiebreak is None:
            known = [problem.tiebreak[m] for m in group if m in problem.tiebreak]
            for app in apps:
                numbers[app] = min(known)
            continue
        best: dict[int, int] = {}
        for app in apps:
            best[schools[app]] = min(best.get(schools[app], numbers[app]), numbers[app])
        for app in apps:
            numbers[app] = best[schools[app]]
    return np.array(numbers, dtype=np.int64)


def _reserve_seats(
    problem: Problem, student_ids: Sequence[str], school_index: dict[str, int]
) -> tuple[ReserveSeats, ...]:
    student_index = {student: i for i, student in enumerate(student_ids)}
    reserved_per_school: dict[str, int] = defaultdict(int)
    seats: list[ReserveSeats] = []
    for reserve in problem.reserves:
        if reserve.school_id not in school_index:
            raise ProblemError(
                f"reserve {reserve.name!r} is for unknown school {reserve.school_id!r}"
            )
        count = _check_int(reserve.seats, f"seats of reserve {reserve.name!r}")
        if count < 0:
            raise ProblemError(f"reserve {reserve.name!r} has a negative number of seats")
        reserved_per_school[reserve.school_id] += count
        if reserved_per_school[reserve.school_id] > problem.capacities[reserve.school_id]:
            raise ProblemError(f"school {reserve.school_id!r} reserves more seats than it has")
        eligible = np.zeros(len(student_ids), dtype=np.bool_)
        eligible[[student_index[s] for s in reserve.eligible if s in student_index]] = True
        seats.append(ReserveSeats(school_index[reserve.school_id], count, eligible, reserve.name))
    return tuple(seats)
