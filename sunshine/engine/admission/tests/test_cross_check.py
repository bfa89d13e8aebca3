"""Agreement with an independent implementation: the PyPI ``matching`` package
(hospital-resident game, resident-optimal), a test-only dependency."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from matching.games import HospitalResident

from sunshine.engine.admission import Problem, solve
from sunshine.engine.admission.tests import reference
from sunshine.engine.admission.tests.strategies import problems


def solve_with_matching_package(problem: Problem) -> dict[str, str | None]:
    prefs = reference.preferences(problem)
    key = reference.keys(problem, siblings_together=False)
    # The package wants every hospital to have a seat and every list non-empty; a school
    # without seats admits nobody, so leaving it out changes no one's outcome.
    open_schools = {s for s, seats in problem.capacities.items() if seats > 0}
    resident_prefs = {
        child: [s for s in listed if s in open_schools] for child, listed in prefs.items()
    }
    resident_prefs = {child: listed for child, listed in resident_prefs.items() if listed}
    hospital_prefs = {
        school: sorted(
            (c for c, listed in resident_prefs.items() if school in listed),
            key=lambda c, school=school: key[(c, school)],  # type: ignore[misc]
        )
        for school in open_schools
    }
    hospital_prefs = {s: ranked for s, ranked in hospital_prefs.items() if ranked}
    result: dict[str, str | None] = dict.fromkeys(prefs)
    if not hospital_prefs:
        return result
    game = HospitalResident.create_from_dictionaries(
        resident_prefs, hospital_prefs, {s: problem.capacities[s] for s in hospital_prefs}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matching = game.solve(optimal="resident")
    for hospital, residents in matching.items():
        for resident in residents:
            result[resident.name] = hospital.name
    return result


@settings(max_examples=150, deadline=None)
@given(problems(max_children=12, max_schools=5))
def test_deferred_acceptance_agrees_with_the_matching_package(problem: Problem) -> None:
    ours = solve(problem, "da", siblings_together=False).assignment
    assert ours == solve_with_matching_package(problem)
