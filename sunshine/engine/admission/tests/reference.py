"""Deliberately plain re-implementations, one proposal or one child at a time.

They share nothing with the vectorised engine except the input shapes, so that
agreement between the two is evidence, not a tautology.
"""

from __future__ import annotations

from collections import defaultdict

from sunshine.engine.admission.model import Problem

Key = tuple[int, int, str]


def preferences(problem: Problem) -> dict[str, list[str]]:
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for application in problem.applications:
        ranked[application.student_id].append((application.rank, application.school_id))
    children = set(problem.tiebreak) | set(ranked)
    return {child: [school for _, school in sorted(ranked[child])] for child in children}


def keys(problem: Problem, siblings_together: bool = True) -> dict[tuple[str, str], Key]:
    """(priority, number, tie-breaker) of each child at each school it listed."""
    number: dict[tuple[str, str], int] = {}
    priority: dict[tuple[str, str], int] = {}
    for a in problem.applications:
        pair = (a.student_id, a.school_id)
        priority[pair] = a.priority
        if problem.school_tiebreak is not None:
            number[pair] = problem.school_tiebreak[pair]
        else:
            number[pair] = problem.tiebreak[a.student_id]
    for group in problem.sibling_groups:
        if problem.school_tiebreak is None:
            family_number = min(problem.tiebreak[child] for child in group)
            for pair in number:
                if pair[0] in group:
                    number[pair] = family_number
            continue
        for school in problem.capacities:
            members = [(child, school) for child in group if (child, school) in number]
            if members:
                best = min(number[pair] for pair in members)
                for pair in members:
                    number[pair] = best
    return {
        pair: (priority[pair], number[pair], "" if siblings_together else pair[0])
        for pair in priority
    }


def take_best(candidates: list[str], count: int, key_of: dict[str, Key]) -> list[str]:
    """The best ``count`` candidates, plus anyone tied with the last one taken."""
    ordered = sorted(candidates, key=lambda child: (key_of[child], child))
    if count <= 0:
        return []
    chosen = ordered[:count]
    if chosen:
        last = key_of[chosen[-1]]
        chosen += [child for child in ordered[count:] if key_of[child] == last]
    return chosen


def choose(
    problem: Problem, school: str, applicants: list[str], key_of: dict[str, Key], seats: list[int]
) -> tuple[set[str], list[int]]:
    """The school's choice among ``applicants`` given free seats [open, reserve...]."""
    reserves = [r for r in problem.reserves if r.school_id == school]
    taken: list[str] = []

    def fill(count: int, allowed: set[str] | None) -> int:
        pool = [c for c in applicants if c not in taken and (allowed is None or c in allowed)]
        picked = take_best(pool, count, key_of)
        taken.extend(picked)
        return len(picked)

    open_seats = seats[0]
    reserve_seats = seats[1:]
    if problem.reserve_order == "open_first":
        open_used = fill(open_seats, None)
        used = [fill(n, set(r.eligible)) for n, r in zip(reserve_seats, reserves, strict=True)]
        unused = [max(0, n - u) for n, u in zip(reserve_seats, used, strict=True)]
        released_used = fill(sum(unused), None)
    else:
        used = [fill(n, set(r.eligible)) for n, r in zip(reserve_seats, reserves, strict=True)]
        unused = [max(0, n - u) for n, u in zip(reserve_seats, used, strict=True)]
        total_open = fill(open_seats + sum(unused), None)
        released_used = max(0, total_open - open_seats)
        open_used = total_open - released_used
    left = []
    for n in unused:
        consumed = min(n, released_used)
        released_used -= consumed
        left.append(n - consumed)
    return set(taken), [max(0, open_seats - open_used), *left]


def initial_seats(problem: Problem, school: str) -> list[int]:
    reserved = [r.seats for r in problem.reserves if r.school_id == school]
    return [problem.capacities[school] - sum(reserved), *reserved]


def deferred_acceptance(problem: Problem, siblings_together: bool = True) -> dict[str, str | None]:
    """Gale-Shapley, one proposal at a time."""
    prefs = preferences(problem)
    key = keys(problem, siblings_together)
    next_choice = dict.fromkeys(prefs, 0)
    held: dict[str, set[str]] = {school: set() for school in problem.capacities}
    free = sorted(prefs)
    while free:
        child = free.pop()
        if next_choice[child] >= len(prefs[child]):
            continue
        school = prefs[child][next_choice[child]]
        next_choice[child] += 1
        applicants = [*held[school], child]
        key_of = {c: key[(c, school)] for c in applicants}
        kept, _ = choose(problem, school, applicants, key_of, initial_seats(problem, school))
        free.extend(sorted(c for c in applicants if c not in kept))
        held[school] = kept
    result: dict[str, str | None] = dict.fromkeys(prefs)
    for school, children in held.items():
        for child in children:
            result[child] = school
    return result


def boston(problem: Problem, siblings_together: bool = True) -> dict[str, str | None]:
    """Immediate acceptance, round by round."""
    prefs = preferences(problem)
    key = keys(problem, siblings_together)
    seats = {school: initial_seats(problem, school) for school in problem.capacities}
    result: dict[str, str | None] = dict.fromkeys(prefs)
    for round_index in range(max((len(p) for p in prefs.values()), default=0)):
        applying: dict[str, list[str]] = defaultdict(list)
        for child, listed in prefs.items():
            if result[child] is None and round_index < len(listed):
                applying[listed[round_index]].append(child)
        for school, children in applying.items():
            key_of = {c: key[(c, school)] for c in children}
            kept, seats[school] = choose(problem, school, children, key_of, seats[school])
            for child in kept:
                result[child] = school
    return result


def serial_dictatorship(problem: Problem, siblings_together: bool = True) -> dict[str, str | None]:
    """Children in (score rank, number, id) order each take their best school with a seat;
    a child tied with the last admitted at a full school joins them (the twins rule)."""
    prefs = preferences(problem)
    key = keys(problem, siblings_together)

    def standing(child: str) -> tuple[Key, str]:
        first = prefs[child][0] if prefs[child] else None
        return (key[(child, first)] if first else (0, 0, ""), child)

    free = {school: problem.capacities[school] for school in problem.capacities}
    last: dict[str, Key] = {}
    result: dict[str, str | None] = dict.fromkeys(prefs)
    for child in sorted(prefs, key=standing):
        for school in prefs[child]:
            mine = key[(child, school)]
            if free[school] > 0 or last.get(school) == mine:
                free[school] -= 1
                last[school] = mine
                result[child] = school
                break
    return result
