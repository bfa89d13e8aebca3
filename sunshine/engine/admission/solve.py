"""The Python-level entry points: one admission, and admissions in stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sunshine.engine.admission.explain import build_result
from sunshine.engine.admission.instance import encode
from sunshine.engine.admission.mechanisms import run
from sunshine.engine.admission.model import MECHANISMS, Mechanism, Problem, ProblemError, Result


def solve(
    problem: Problem, mechanism: Mechanism = "da", *, siblings_together: bool = True
) -> Result:
    """Admit the children of ``problem`` with ``mechanism`` ("da", "boston" or "serial").

    ``siblings_together``: children tied on (priority, number) at a school, that is
    twins sharing a lottery number, are admitted together even over capacity; when
    false, such ties are broken by child id and capacity is never exceeded.
    """
    if mechanism not in MECHANISMS:
        raise ProblemError(f"unknown mechanism {mechanism!r}; use da, boston or serial")
    instance = encode(problem)
    return build_result(instance, mechanism, run(instance, mechanism, siblings_together))


@dataclass(frozen=True)
class Stage:
    """One stage of a year, e.g. private schools (公民同招) and then public schools."""

    name: str
    problem: Problem
    mechanism: Mechanism = "da"


@dataclass(frozen=True)
class StagedResult:
    """Per-stage results and the combined assignment (a child's place from any stage)."""

    stages: dict[str, Result]
    assignment: dict[str, str | None]


def solve_stages(stages: Sequence[Stage], *, siblings_together: bool = True) -> StagedResult:
    """Run the stages in order; a child placed in one stage leaves all later stages."""
    placed: set[str] = set()
    results: dict[str, Result] = {}
    assignment: dict[str, str | None] = {}
    for stage in stages:
        if stage.name in results:
            raise ProblemError(f"two stages are named {stage.name!r}")
        problem = replace(
            stage.problem,
            applications=[a for a in stage.problem.applications if a.student_id not in placed],
            sibling_groups=[
                tuple(member for member in group if member not in placed)
                for group in stage.problem.sibling_groups
            ],
        )
        result = solve(problem, stage.mechanism, siblings_together=siblings_together)
        results[stage.name] = result
        for student_id, school_id in result.assignment.items():
            if student_id in placed:
                continue
            assignment[student_id] = school_id
            if school_id is not None:
                placed.add(student_id)
    return StagedResult(results, assignment)
