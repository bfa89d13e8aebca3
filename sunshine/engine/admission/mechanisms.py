"""The mechanisms, in vectorised rounds over NumPy arrays.

Every school ranks its applicants by (priority, tie-break number), lower first. All
applications are sorted once by (school, priority, number); an application's index in
that order (its *position*) then encodes both its school and its rank there, so a
school's current holders are a sorted run of positions and each round is a few sorts,
merges and searches over integers.

Equal (priority, number) at a school means one family sharing a lottery number: with
``siblings_together`` the school admits the whole tied group when its last seat falls
inside it (going over capacity by that many); without it, ties are broken by child id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sunshine.engine.admission.instance import Instance, IntArray
from sunshine.engine.admission.model import Mechanism, ProblemError
from sunshine.engine.admission.reserves import QuotaSchools


@dataclass(frozen=True, eq=False)
class Ordering:
    """Every school's priority order over its applications.

    ``order[p]`` is the application at position ``p``; ``position[a]`` inverts it.
    A school's applications occupy ``school_start[s] <= p < school_start[s + 1]``;
    ``tie_end[p]`` is the last position tied with ``p`` (itself when untied).
    """

    order: IntArray
    position: IntArray
    school_start: IntArray
    tie_end: IntArray
    school_of: IntArray  # school at each position
    student_of: IntArray  # child at each position


@dataclass(frozen=True, eq=False)
class Admission:
    """The raw outcome: the admitted application of each child (-1: unplaced).

    ``filled_round[s]`` is the Boston round in which school ``s`` became full
    (0: full from the start, -1: never full or not Boston).
    """

    admitted_app: IntArray
    filled_round: IntArray


def priority_order(
    instance: Instance, siblings_together: bool = True, app_student: IntArray | None = None
) -> Ordering:
    """Sort all applications by (school, priority, number); ties keep child-id order.

    ``app_student`` (``instance.app_student()``) may be passed when it is at hand.
    """
    n = instance.n_applications
    if app_student is None:
        app_student = instance.app_student()
    order, sorted_keys = _sorted_applications(instance)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n, dtype=np.int64)
    school_of = instance.app_school[order]
    school_start = np.searchsorted(school_of, np.arange(instance.n_schools + 1)).astype(np.int64)
    if siblings_together and n:
        new_group = np.ones(n, dtype=np.bool_)
        if sorted_keys is not None:
            new_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
        else:
            priority = instance.app_priority[order]
            number = instance.app_number[order]
            new_group[1:] = (
                (school_of[1:] != school_of[:-1])
                | (priority[1:] != priority[:-1])
                | (number[1:] != number[:-1])
            )
        if new_group.all():
            tie_end = np.arange(n, dtype=np.int64)
        else:
            group_start = np.flatnonzero(new_group)
            group_end = np.append(group_start[1:], n) - 1
            tie_end = np.repeat(group_end, np.diff(np.append(group_start, n))).astype(np.int64)
    else:
        tie_end = np.arange(n, dtype=np.int64)
    return Ordering(order, position, school_start, tie_end, school_of, app_student[order])


def _span_bits(values: IntArray) -> tuple[int, int]:
    """Smallest value and the bits needed for ``values - smallest``."""
    if not values.size:
        return 0, 0
    low, high = int(values.min()), int(values.max())
    return low, (high - low).bit_length()


def _sorted_applications(instance: Instance) -> tuple[IntArray, IntArray | None]:
    """Application indices by (school, priority, number, application index), and, when
    packed, the sorted (school, priority, number) keys.

    Applications are stored child by child in id order, so the index breaks remaining
    ties by child id. The fields are packed into one 64-bit integer and sorted as plain
    values, several times faster than a lexsort; when (priority, number) is too wide,
    it is first replaced by its rank among all pairs, found by one packed sort too.
    """
    n = instance.n_applications
    index_bits = max(n - 1, 0).bit_length()
    school_bits = max(instance.n_schools - 1, 0).bit_length()
    pair = _packed_pair(instance.app_priority, instance.app_number, index_bits)
    if pair is None:
        order = np.lexsort(
            (np.arange(n), instance.app_number, instance.app_priority, instance.app_school)
        ).astype(np.int64)
        return order, None
    pair_key, pair_bits = pair
    if school_bits + pair_bits + index_bits > 63:
        pair_key, pair_bits = _dense_rank(pair_key, pair_bits, index_bits)
    packed = instance.app_school.astype(np.int64) << (pair_bits + index_bits)
    packed |= pair_key << index_bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    keys = packed >> index_bits
    packed &= (1 << index_bits) - 1
    return packed, keys


def _packed_pair(
    priority: IntArray, number: IntArray, index_bits: int
) -> tuple[IntArray, int] | None:
    """(priority, number) as one order-preserving integer and its width, if it fits."""
    priority_low, priority_bits = _span_bits(priority)
    number_low, number_bits = _span_bits(number)
    if priority_bits + number_bits + index_bits > 63:
        return None
    key = (priority - priority_low) << number_bits
    key |= number - number_low
    return key, priority_bits + number_bits


def _dense_rank(key: IntArray, key_bits: int, index_bits: int) -> tuple[IntArray, int]:
    """Rank of each key among the distinct keys (order kept), and the rank's width."""
    packed = (key << index_bits) | np.arange(key.size, dtype=np.int64)
    packed.sort()
    sorted_keys = packed >> index_bits
    distinct = np.ones(key.size, dtype=np.int64)
    distinct[0:1] = 0
    distinct[1:] = sorted_keys[1:] != sorted_keys[:-1]
    rank = np.empty(key.size, dtype=np.int64)
    rank[packed & ((1 << index_bits) - 1)] = np.cumsum(distinct)
    return rank, int(rank.max(initial=0)).bit_length()


def _ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """Concatenation of ``arange(start, stop)`` for each pair."""
    lengths = stops - starts
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    if not starts.size:
        return np.empty(0, dtype=np.int64)
    shifts: IntArray = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    indices: IntArray = np.arange(int(lengths.sum()), dtype=np.int64) + shifts
    return indices


def deferred_acceptance(
    instance: Instance, ordering: Ordering, siblings_together: bool = True
) -> Admission:
    """Student-proposing deferred acceptance (Gale and Shapley 1962)."""
    capacity = instance.capacity
    start, end = ordering.school_start[:-1], ordering.school_start[1:]
    quotas = QuotaSchools(instance, ordering, siblings_together)
    # A proposal at a position after ``cut[s]`` is refused without looking at the holders.
    cut = end - 1
    cut[(capacity == 0) & ~quotas.mask] = start[(capacity == 0) & ~quotas.mask] - 1
    next_app = instance.offsets[:-1].copy()
    last_app = instance.offsets[1:]
    held = np.empty(0, dtype=np.int64)
    proposers = np.flatnonzero(next_app < last_app)
    while proposers.size:
        incoming = _next_proposals(
            proposers, next_app, last_app, instance.app_school, ordering, cut
        )
        if not incoming.size:
            break
        held = np.insert(held, np.searchsorted(held, incoming), incoming)
        touched = ordering.school_of[incoming]  # sorted, as positions are
        schools = touched[np.append(True, touched[1:] != touched[:-1])]
        drop = _over_capacity(held, schools, capacity, ordering, cut, quotas)
        proposers = ordering.student_of[held[drop]]
        held = np.delete(held, drop)
        proposers = proposers[next_app[proposers] < last_app[proposers]]
    admitted = np.full(instance.n_students, -1, dtype=np.int64)
    admitted[ordering.student_of[held]] = ordering.order[held]
    return Admission(admitted, np.full(instance.n_schools, -1, dtype=np.int64))


def _next_proposals(
    proposers: IntArray,
    next_app: IntArray,
    last_app: IntArray,
    app_school: IntArray,
    ordering: Ordering,
    cut: IntArray,
) -> IntArray:
    """Positions of the proposals that ``proposers`` make, sorted.

    A school's cut only moves up its ranking as the rounds go, so a child ranked below
    it is refused for good: such a child goes straight on to its next choice within
    the same round. Children who run out of choices stay unplaced.
    """
    proposals = []
    while proposers.size:
        apps = next_app[proposers]
        next_app[proposers] += 1
        positions = ordering.position[apps]
        fits = positions <= cut[app_school[apps]]
        proposals.append(positions[fits])
        proposers = proposers[~fits]
        proposers = proposers[next_app[proposers] < last_app[proposers]]
    incoming = np.concatenate(proposals) if proposals else np.empty(0, dtype=np.int64)
    incoming.sort()
    return incoming


def _over_capacity(
    held: IntArray,
    schools: IntArray,
    capacity: IntArray,
    ordering: Ordering,
    cut: IntArray,
    quotas: QuotaSchools,
) -> IntArray:
    """Indices into ``held`` of holders that ``schools`` no longer keep; updates ``cut``."""
    quota_schools = schools[quotas.mask[schools]]
    schools = schools[~quotas.mask[schools]]
    low = np.searchsorted(held, ordering.school_start[schools])
    high = np.searchsorted(held, ordering.school_start[schools + 1])
    full = high - low >= capacity[schools]
    schools, low, high = schools[full], low[full], high[full]
    last_kept = ordering.tie_end[held[low + capacity[schools] - 1]]
    cut[schools] = last_kept
    keep_end = np.searchsorted(held, last_kept, side="right")
    drops = [_ranges(keep_end, high)]
    for school in quota_schools.tolist():
        low_q = int(np.searchsorted(held, ordering.school_start[school]))
        high_q = int(np.searchsorted(held, ordering.school_start[school + 1]))
        chosen = quotas.choose(school, held[low_q:high_q], quotas.initial_seats(school))[0]
        drops.append(low_q + np.flatnonzero(~chosen))
    return np.concatenate(drops)


def immediate_acceptance(
    instance: Instance, ordering: Ordering, siblings_together: bool = True
) -> Admission:
    """Boston mechanism as defined by Abdulkadiroğlu and Sönmez (2003).

    In round r every child still unplaced applies to its r-th choice, whether or not
    that school has seats left; each school admits the best applicants of the round up
    to its remaining seats, and those admissions are final.
    """
    quotas = QuotaSchools(instance, ordering, siblings_together)
    remaining = instance.capacity.copy()
    seat_state = {school: quotas.initial_seats(school) for school in quotas.schools}
    filled_round = np.where(remaining == 0, 0, -1).astype(np.int64)
    admitted = np.full(instance.n_students, -1, dtype=np.int64)
    lengths = np.diff(instance.offsets)
    active = np.flatnonzero(lengths > 0)
    round_number = 0
    while active.size:
        round_number += 1
        active = active[(admitted[active] < 0) & (lengths[active] >= round_number)]
        positions = np.sort(ordering.position[instance.offsets[active] + round_number - 1])
        schools = ordering.school_of[positions]
        first = np.searchsorted(schools, schools, side="left")
        after = np.searchsorted(schools, schools, side="right")
        seats = remaining[schools]
        takes = (np.arange(positions.size) - first) < seats
        if siblings_together and positions.size:
            boundary = np.clip(first + seats - 1, 0, positions.size - 1)
            inside = (seats >= 1) & (first + seats - 1 < after)
            tied = ordering.tie_end[positions] == ordering.tie_end[positions[boundary]]
            takes |= inside & tied
        quota_rows = quotas.mask[schools]
        takes &= ~quota_rows
        for school in np.unique(schools[quota_rows]).tolist():
            rows = np.flatnonzero(schools == school)
            chosen, seat_state[school] = quotas.choose(school, positions[rows], seat_state[school])
            takes[rows[chosen]] = True
        taken = positions[takes]
        admitted[ordering.student_of[taken]] = ordering.order[taken]
        counts = np.bincount(ordering.school_of[taken], minlength=instance.n_schools)
        remaining = np.maximum(remaining - counts, 0)
        for school in quotas.schools:
            remaining[school] = sum(seat_state[school])
        filled_round[(remaining == 0) & (filled_round < 0)] = round_number
    return Admission(admitted, filled_round)


def check_common_order(instance: Instance) -> None:
    """Serial dictatorship needs one score rank and one number per child."""
    app_student = instance.app_student()
    first = instance.offsets[:-1][app_student]
    for values, what in ((instance.app_priority, "priority"), (instance.app_number, "number")):
        differs = values != values[first]
        if differs.any():
            child = instance.student_ids[int(app_student[int(np.argmax(differs))])]
            raise ProblemError(
                f"serial dictatorship needs one {what} per child; child {child!r} has several"
            )


def serial_dictatorship(
    instance: Instance, ordering: Ordering, siblings_together: bool = True
) -> Admission:
    """Serial dictatorship by score (平行志愿: 分数优先，遵循志愿).

    Children choose in the order (priority = score rank, tie-break number, child id);
    each takes its best listed school with a seat left. With one order shared by all
    schools this is exactly what deferred acceptance computes, so it runs that.
    """
    check_common_order(instance)
    return deferred_acceptance(instance, ordering, siblings_together)


def run(
    instance: Instance,
    mechanism: Mechanism,
    siblings_together: bool = True,
    app_student: IntArray | None = None,
) -> Admission:
    """Solve ``instance`` with ``mechanism``."""
    ordering = priority_order(instance, siblings_together, app_student)
    if mechanism == "da":
        return deferred_acceptance(instance, ordering, siblings_together)
    if mechanism == "boston":
        return immediate_acceptance(instance, ordering, siblings_together)
    if mechanism == "serial":
        return serial_dictatorship(instance, ordering, siblings_together)
    raise ProblemError(f"unknown mechanism {mechanism!r}; use da, boston or serial")
