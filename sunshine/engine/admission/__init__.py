"""Admission engine: which child goes to which school, exactly and recomputably.

Python API (stable; plain data in, plain data out)::

    from sunshine.engine.admission import Application, Problem, solve

    problem = Problem(
        capacities={"S1": 50, "S2": 40},              # seats per school (reserves included)
        tiebreak={"c1": 17, "c2": 3},                  # single tie-breaking: lower wins
        applications=[Application("c1", 1, "S1", 2),  # (child, rank, school, priority)
                      Application("c2", 1, "S1", 1)],
        school_tiebreak=None,      # or {(child, school): number}: multiple tie-breaking
        sibling_groups=[("c7", "c8")],                 # twins share one number per school
        reserves=[],               # Reserve(school_id, seats, eligible) quotas
        reserve_order="reserved_first",                # or "open_first"
    )
    result = solve(problem, "da")     # "da" | "boston" | "serial"; siblings_together=True
    result.assignment                 # {child: school or None}
    result.schools["S1"].cutoff       # Cutoff(priority, tiebreak) of the last admitted
    result.explanations["c1"]         # one Explanation per listed school, in rank order

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
* ``waitlists(problem, result)`` and ``fill_released_seats(problem, result, released)``:
  released seats go to unplaced waitlisted children in priority order; no admitted child
  moves.
* ``estimate_chances(problem, seeds)``: probability of admission per (child, listed
  school), re-running the lottery once per seed.
* ``sunshine.engine.admission.interchange``: the published CSV files (see
  docs/admission-engine.md) and ``Instance``-level solving for large cities.
"""

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

__all__ = [
    "EARTH_RADIUS_M",
    "MECHANISMS",
    "Application",
    "Cutoff",
    "Explanation",
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
    "coordinated_placement",
    "distances_m",
    "solve",
    "solve_stages",
]
