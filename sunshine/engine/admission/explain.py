"""From the raw admission arrays to a ``Result`` with cutoffs and explanations."""

from __future__ import annotations

import numpy as np

from sunshine.engine.admission.instance import Instance, IntArray
from sunshine.engine.admission.mechanisms import Admission
from sunshine.engine.admission.model import (
    Cutoff,
    Explanation,
    Mechanism,
    Outcome,
    Result,
    SchoolOutcome,
)


def school_cutoffs(
    instance: Instance, admitted_app: IntArray
) -> tuple[IntArray, list[Cutoff | None]]:
    """Admitted count per school and the (priority, number) of its last admitted child."""
    apps = admitted_app[admitted_app >= 0]
    schools = instance.app_school[apps]
    counts = np.bincount(schools, minlength=instance.n_schools).astype(np.int64)
    cutoffs: list[Cutoff | None] = [None] * instance.n_schools
    if apps.size:
        # The worst admitted: largest (priority, number), found by one sort.
        order = np.lexsort((instance.app_number[apps], instance.app_priority[apps], schools))
        last = np.flatnonzero(np.append(schools[order][1:] != schools[order][:-1], True))
        for index in order[last].tolist():
            app = int(apps[index])
            cutoffs[int(instance.app_school[app])] = Cutoff(
                int(instance.app_priority[app]), int(instance.app_number[app])
            )
    return counts, cutoffs


def build_result(instance: Instance, mechanism: Mechanism, admission: Admission) -> Result:
    admitted_app = admission.admitted_app
    counts, cutoffs = school_cutoffs(instance, admitted_app)
    schools: dict[str, SchoolOutcome] = {}
    for index, school_id in enumerate(instance.school_ids):
        capacity = int(instance.capacity[index])
        filled = int(admission.filled_round[index])
        schools[school_id] = SchoolOutcome(
            school_id=school_id,
            capacity=capacity,
            admitted=int(counts[index]),
            cutoff=cutoffs[index],
            full=int(counts[index]) >= capacity,
            filled_in_round=filled if filled >= 0 else None,
        )

    assignment: dict[str, str | None] = {}
    explanations: dict[str, tuple[Explanation, ...]] = {}
    offsets = instance.offsets.tolist()
    app_school = instance.app_school.tolist()
    priority = instance.app_priority.tolist()
    number = instance.app_number.tolist()
    filled_round = admission.filled_round.tolist()
    for child, student_id in enumerate(instance.student_ids):
        app_admitted = int(admitted_app[child])
        assignment[student_id] = (
            instance.school_ids[app_school[app_admitted]] if app_admitted >= 0 else None
        )
        entries = []
        for app in range(offsets[child], offsets[child + 1]):
            rank = app - offsets[child] + 1
            school = app_school[app]
            outcome: Outcome
            if app == app_admitted:
                outcome = "admitted"
            elif 0 <= app_admitted < app:
                outcome = "better_choice_admitted"
            elif mechanism == "boston" and 0 <= filled_round[school] < rank:
                outcome = "filled_in_earlier_round"
            else:
                outcome = "below_cutoff"
            entries.append(
                Explanation(
                    student_id=student_id,
                    school_id=instance.school_ids[school],
                    rank=rank,
                    priority=priority[app],
                    tiebreak=number[app],
                    admitted=outcome == "admitted",
                    outcome=outcome,
                    cutoff=cutoffs[school],
                )
            )
        explanations[student_id] = tuple(entries)
    return Result(mechanism, assignment, schools, explanations)
