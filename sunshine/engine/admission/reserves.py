"""Schools with reserved seats (quotas): their choice among applicants.

A school with reserves fills its seat groups one after another, in the declared
processing order: ``reserved_first`` fills each reserve (in the order given) from its
eligible applicants and then the open seats from everybody left; ``open_first`` fills
the open seats from everybody, then each reserve from the eligible applicants left.
Reserved seats that no eligible applicant takes are released and go to the best
applicants left. This is the precedence-order choice function of Dur, Kominers, Pathak
and Sönmez, "Reserve Design" (Journal of Political Economy 126(6), 2018).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from sunshine.engine.admission.instance import BoolArray, Instance, IntArray, ReserveSeats

if TYPE_CHECKING:
    from sunshine.engine.admission.mechanisms import Ordering

# Seats still free: the open seats, then each reserve of the school in processing order.
SeatState = tuple[int, ...]


class QuotaSchools:
    """The schools of an instance that have reserved seats."""

    def __init__(self, instance: Instance, ordering: Ordering, siblings_together: bool) -> None:
        self.mask: BoolArray = np.zeros(instance.n_schools, dtype=np.bool_)
        self._reserves: dict[int, list[ReserveSeats]] = defaultdict(list)
        for reserve in instance.reserves:
            self.mask[reserve.school] = True
            self._reserves[reserve.school].append(reserve)
        self.schools: list[int] = sorted(self._reserves)
        self._capacity = instance.capacity
        self._open_first = instance.reserve_order == "open_first"
        self._tie_end = ordering.tie_end
        self._student_of = ordering.student_of
        self._siblings_together = siblings_together

    def initial_seats(self, school: int) -> SeatState:
        reserves = self._reserves[school]
        reserved = sum(reserve.seats for reserve in reserves)
        return (int(self._capacity[school]) - reserved, *(reserve.seats for reserve in reserves))

    def choose(
        self, school: int, positions: IntArray, seats: SeatState
    ) -> tuple[BoolArray, SeatState]:
        """Which of ``positions`` (sorted, best first) the school takes, and the seats left."""
        taken = np.zeros(positions.size, dtype=np.bool_)
        students = self._student_of[positions]
        everyone = np.ones(positions.size, dtype=np.bool_)
        eligibles = [reserve.eligible[students] for reserve in self._reserves[school]]
        open_seats, reserve_seats = seats[0], list(seats[1:])
        if self._open_first:
            open_used = self._fill(positions, taken, open_seats, everyone)
            reserve_used = [
                self._fill(positions, taken, count, eligible)
                for count, eligible in zip(reserve_seats, eligibles, strict=True)
            ]
            unused = [max(0, c - u) for c, u in zip(reserve_seats, reserve_used, strict=True)]
            released_used = self._fill(positions, taken, sum(unused), everyone)
        else:
            reserve_used = [
                self._fill(positions, taken, count, eligible)
                for count, eligible in zip(reserve_seats, eligibles, strict=True)
            ]
            unused = [max(0, c - u) for c, u in zip(reserve_seats, reserve_used, strict=True)]
            open_used = self._fill(positions, taken, open_seats + sum(unused), everyone)
            released_used = max(0, open_used - open_seats)
            open_used -= released_used
        # Released seats that were taken come out of the reserves, in processing order.
        left = []
        for count in unused:
            consumed = min(count, released_used)
            released_used -= consumed
            left.append(count - consumed)
        return taken, (max(0, open_seats - open_used), *left)

    def _fill(self, positions: IntArray, taken: BoolArray, count: int, allowed: BoolArray) -> int:
        """Take the best ``count`` allowed applicants not yet taken (and their tied siblings)."""
        candidates = np.flatnonzero(allowed & ~taken)
        if count <= 0 or not candidates.size:
            return 0
        chosen = candidates[:count]
        if self._siblings_together and candidates.size > count:
            last_group = self._tie_end[positions[chosen[-1]]]
            rest = candidates[count:]
            chosen = np.concatenate((chosen, rest[self._tie_end[positions[rest]] == last_group]))
        taken[chosen] = True
        return int(chosen.size)
