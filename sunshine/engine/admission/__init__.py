"""Admission engine: which child goes to which school, exactly and recomputably.

Python API (stable; plain data in, plain data out)::

    from sunshine.engine.admission import Application, Problem, solve

    problem = Problem(
        capacities={"S1": 50, "S2": 40},              # seats per school (reserves included)
        tiebreak={"c1": 17, "c2": 3},                  # single tie-breaking: lower wins
        applications=[Application("c1", 1, "S1", 2),  # (child, rank, school, priority)
                      Application("c2", 1, "S1", 1)],
        school_tiebreak=None,      # or {(child, school): number}: multiple tie-breaking
        sibling_groups=[("c7", "c8")],                 # twins: one shared (family) number
        reserves=[],               # Reserve(school_id, seats, eligible) quotas
        reserve_order="reserved_first",                # or "open_first"
    )
    result = solve(problem, "da")     # "da" | "boston" | "serial"; siblings_together=True
    result.assignment                 # {child: school or None}
    result.schools["S1"].cutoff       # Cutoff(priority, tiebreak) of the last admitted
    result.explanations["c1"]         # one Explanation per listed school, in rank order

A zoned public stage: each child applies to its zone school (rank 1) with priority =
category, ``school_tiebreak={(child, zone_school): number in that school's draw}``;
run the private schools first with ``solve_stages``, then ``coordinated_placement`` for
``result.unplaced`` over ``result.seats_left()``.

Rules that hold throughout:

* A school ranks applicants by (priority, tie-break number), lower first; priority is
  the category (1 best) or, for score programs, the score rank.
* Children tied on both at a school share a lottery number, i.e. are one family.
  With ``siblings_together`` (default) the school admits the whole tied group when its
  last seat falls inside it, so it may exceed its capacity by that many; otherwise
  ties are broken by child id. ``sibling_groups`` makes siblings share a number (the
  family's smallest, per school).
* Mechanisms: ``da`` student-proposing deferred acceptance; ``boston`` immediate
  acceptance (Abdulkadiroğlu and Sönmez 2003); ``serial`` serial dictatorship by
  (score rank, number, child id), which needs one priority and number per child.
* Results never depend on the order of the input: children and schools are
  processed in the sorted order of their ids.

Also here:

* ``solve_stages([Stage("private", p1, "da"), Stage("public", p2, "da")])``: a child
  placed in a stage leaves every later stage (公民同招: private schools first).
* ``coordinated_placement(order, homes, schools, remaining)``: 统筹, children in
  ``order`` each take the nearest school (haversine distance, ties to the smaller id)
  with a seat left; returns ``{child: school or None}``.
* ``waitlists(result)`` and ``fill_released_seats(problem, result, released)``:
  released seats go to unplaced waitlisted children in priority order; no admitted child
  moves.
* ``estimate_chances(problem, seeds, tie_breaking="single")``: probability of admission
  per (child, listed school), re-running the lottery once per seed.
* ``numbers_from_draw(draw.numbers, entry_of)`` and ``numbers_from_school_draws``: the
  lottery's numbers (``sunshine.engine.lottery.draw``, one entry per family) as
  ``tiebreak`` or ``school_tiebreak``.
* ``sunshine.engine.admission.interchange``: the published CSV files (see
  docs/admission-engine.md) and ``Instance``-level solving for large cities.
"""

from sunshine.engine.admission.chances import estimate_chances
from sunshine.engine.admission.model import (
    MECHANISMS,
    Application,
    Cutoff,
    Explanation,
    Mechanism,
    Outcome,
    Problem,
    ProblemError,
    Reserve,
    ReserveOrder,
    Result,
    SchoolOutcome,
)
from sunshine.engine.admission.placement import EARTH_RADIUS_M, coordinated_placement, distances_m
from sunshine.engine.admission.solve import Stage, StagedResult, solve, solve_stages
from sunshine.engine.admission.tiebreak import numbers_from_draw, numbers_from_school_draws
from sunshine.engine.admission.waitlist import (
    Filled,
    WaitlistEntry,
    fill_released_seats,
    waitlists,
)

__all__ = [
    "EARTH_RADIUS_M",
    "MECHANISMS",
    "Application",
    "Cutoff",
    "Explanation",
    "Filled",
    "Mechanism",
    "Outcome",
    "Problem",
    "ProblemError",
    "Reserve",
    "ReserveOrder",
    "Result",
    "SchoolOutcome",
    "Stage",
    "StagedResult",
    "WaitlistEntry",
    "coordinated_placement",
    "distances_m",
    "estimate_chances",
    "fill_released_seats",
    "numbers_from_draw",
    "numbers_from_school_draws",
    "solve",
    "solve_stages",
    "waitlists",
]
