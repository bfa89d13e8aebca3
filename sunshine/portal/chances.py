"""Estimated chance of a place at each private school, from the applications so far.

The engine's estimator re-runs the private-school lottery over the current
choices with unofficial seeds (never the real draw's). A newcomer is added per
school, listing that school alone: the share of lotteries that admit it is the
chance of a child who applies now with that school first. It is an estimate
that changes as others apply, and the page says so; it is recomputed at most
every five minutes per round.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from django.core.cache import cache

from sunshine.applications.models import Choice, Status
from sunshine.engine.admission.chances import estimate_chances
from sunshine.engine.admission.model import Application as Listing
from sunshine.engine.admission.model import Problem
from sunshine.schools.models import Round, SeatPlan

REPLICATIONS = 200
CACHE_SECONDS = 300
_NEWCOMER = "newcomer:"


def _listings(round_: Round, codes: set[str]) -> list[Listing]:
    rows = (
        Choice.objects.filter(application__round=round_, school__code__in=codes)
        .exclude(application__status__in=[Status.DRAFT, Status.WITHDRAWN])
        .values_list("application_id", "school__code")
        .order_by("application_id", "rank")
    )
    ranks: dict[int, int] = {}
    listings = []
    for application_id, code in rows:
        ranks[application_id] = ranks.get(application_id, 0) + 1
        listings.append(Listing(f"a{application_id}", ranks[application_id], code, 1))
    return listings


def first_choice_chances(round_: Round, codes: Sequence[str]) -> dict[str, float]:
    """School code → estimated probability of admission when listed first (and alone)."""
    wanted = set(codes)
    if not wanted:
        return {}
    seats = dict(
        SeatPlan.objects.filter(round=round_, school__code__in=wanted).values_list(
            "school__code", "seats"
        )
    )
    # One estimate per round and five minutes: on a busy day every submission would
    # otherwise start a new one.
    window = int(time.time() // CACHE_SECONDS)
    state = f"{round_.pk}:{sorted(seats.items())}:{window}"
    key = "portal:chances:" + hashlib.sha256(state.encode()).hexdigest()
    cached: dict[str, float] | None = cache.get(key)
    if cached is not None:
        return cached
    listings = _listings(round_, set(seats))
    listings += [Listing(f"{_NEWCOMER}{code}", 1, code, 1) for code in sorted(seats)]
    students = sorted({listing.student_id for listing in listings})
    problem = Problem(
        capacities=seats,
        tiebreak={student: number for number, student in enumerate(students, start=1)},
        applications=listings,
    )
    seeds = [f"portal-estimate:{round_.pk}:{i}".encode() for i in range(REPLICATIONS)]
    estimated = estimate_chances(problem, seeds, tie_breaking="multiple")
    chances = {code: estimated[(f"{_NEWCOMER}{code}", code)] for code in sorted(seats)}
    cache.set(key, chances, CACHE_SECONDS)
    return chances
