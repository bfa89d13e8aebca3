"""From check results to facts to a category under the default Changde policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from sunshine.engine.checks import (
    CheckName,
    Department,
    DepartmentRecords,
    Facts,
    applicable_checks,
    derive_facts,
    run_checks,
)
from sunshine.engine.checks.tests.city import (
    CHILD_ID,
    CONTEXT,
    FAR_AWAY,
    GRANDFATHER_ID,
    GRANDPARENTS_HOME,
    PERMIT_NO,
    RENTAL_NO,
    STRANGER_ID,
    ZONES,
    Recording,
    World,
    declaration,
)
from sunshine.engine.policy import CategoryAssignment, evaluate, load_default_policy
from sunshine.engine.records import Declaration, GuardianDeclaration, HukouRecord, PropertyOwner

POLICY = load_default_policy()
CUTOFF = POLICY.parameters["move_in_cutoff"]


def _facts(declared: Declaration, departments: DepartmentRecords, school: str = "wl-1") -> Facts:
    results = run_checks(declared, departments, CONTEXT)
    return derive_facts(results, ZONES[school], expected=applicable_checks(declared))


def _category(
    declared: Declaration, departments: DepartmentRecords, school: str = "wl-1"
) -> CategoryAssignment:
    return evaluate(POLICY, _facts(declared, departments, school))


def _child_hukou(world: World, **changes: object) -> None:
    world.hukou = [
        replace(record, **changes) if record.id_number == CHILD_ID else record
        for record in world.hukou
    ]


def test_owner_family_living_at_its_hukou_address_is_category_1() -> None:
    assignment = _category(declaration(), World().departments())
    assert assignment.category == 1 and not assignment.offline_check
    decided = {use.fact: use.value for use in assignment.reasons}
    assert decided["hukou_in_zone"] is True
    assert decided["property_in_zone_owned_by_guardian"] is True
    assert decided["hukou_same_as_property"] is True


def test_the_same_family_outside_another_schools_zone_goes_to_the_offline_check() -> None:
    # Building 3 of 锦绣华庭 belongs to wl-1; wl-2 takes buildings 9-12 only.
    assignment = _category(declaration(), World().departments(), school="wl-2")
    assert assignment.category == 5 and assignment.offline_check
    assert [miss.category for miss in assignment.passed_over] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("days_before_cutoff", "category"),
    [(1, 1), (0, 3), (-1, 3)],
)
def test_hukou_moved_in_on_the_cutoff_no_longer_counts(
    days_before_cutoff: int, category: int
) -> None:
    assert isinstance(CUTOFF, dt.date)
    world = World()
    _child_hukou(world, move_in_date=CUTOFF - dt.timedelta(days=days_before_cutoff))
    assert _category(declaration(), world.departments()).category == category


def _living_with_grandparents(world: World) -> Declaration:
    world.hukou = [record for record in world.hukou if record.id_number != CHILD_ID]
    world.hukou.append(
        HukouRecord(
            CHILD_ID, "李子涵", GRANDPARENTS_HOME, dt.date(2019, 4, 2), GRANDFATHER_ID, "孙子"
        )
    )
    return declaration(hukou_address=GRANDPARENTS_HOME)


def test_hukou_with_grandparents_in_the_zone_is_category_2() -> None:
    world = World()
    declared = _living_with_grandparents(world)
    # 金丹小区 (the grandparents' home) is in wl-2's zone; the parents' flat is not.
    facts = _facts(declared, world.departments(), school="wl-2")
    assert facts.get("hukou_with_grandparents") is True
    assert evaluate(POLICY, facts).category == 2


def test_home_in_the_zone_with_hukou_elsewhere_is_category_3() -> None:
    world = World()
    declared = _living_with_grandparents(world)
    assignment = _category(declared, world.departments(), school="wl-1")
    assert assignment.category == 3
    assert [use.fact for use in assignment.reasons] == ["property_in_zone_owned_by_guardian"]


def _migrant_family(world: World) -> Declaration:
    _child_hukou(world, address=FAR_AWAY)
    return declaration(
        hukou_address=FAR_AWAY,
        property_certificate_no=None,
        property_address=None,
        rental_registration_no=RENTAL_NO,
        residence_permit_no=PERMIT_NO,
    )


def test_migrant_family_with_rental_insurance_and_permit_is_category_4() -> None:
    world = World()
    declared = _migrant_family(world)
    facts = _facts(declared, world.departments())
    assert facts.get("social_insurance_months") == 30
    assert facts.get("hukou_in_city") is False
    assert evaluate(POLICY, facts).category == 4


def test_migrant_family_short_of_twelve_months_goes_to_the_offline_check() -> None:
    world = World()
    declared = _migrant_family(world)
    world.social_insurance = [replace(r, months_paid=11) for r in world.social_insurance]
    assert _category(declared, world.departments()).category == 5


def test_property_of_a_guardian_the_records_do_not_confirm_does_not_count() -> None:
    world = World()
    world.properties = [
        replace(r, owners=(PropertyOwner(STRANGER_ID, 100),)) for r in world.properties
    ]
    father, _ = declaration().guardians
    declared = declaration(
        guardians=(father, GuardianDeclaration("赵敏", STRANGER_ID, "13707360003", "母亲"))
    )
    facts = _facts(declared, world.departments())
    assert facts.get("property_in_zone_owned_by_guardian") is False
    assert evaluate(POLICY, facts).category == 2


def test_waiting_property_check_leaves_the_category_open() -> None:
    departments = Recording(World().departments(), down={"property": Department.REAL_ESTATE})
    assignment = _category(declaration(), departments)
    assert assignment.category is None and not assignment.determined
    assert "property_in_zone_owned_by_guardian" in assignment.pending_facts


def test_waiting_check_that_cannot_change_the_outcome_does_not_hold_it_up() -> None:
    # An owner family that also declared a rental: category 1 does not depend on it.
    departments = Recording(World().departments(), down={"rental": Department.HOUSING})
    declared = declaration(rental_registration_no=RENTAL_NO)
    facts = _facts(declared, departments)
    assert facts.is_pending("rental_in_zone_registered")
    assert evaluate(POLICY, facts).category == 1


def test_waiting_guardianship_leaves_ownership_open() -> None:
    departments = Recording(World().departments(), down={"birth": Department.BIRTH_REGISTRATION})
    facts = _facts(declaration(), departments)
    assert facts.is_pending("property_in_zone_owned_by_guardian")
    assert facts.get("hukou_in_zone") is True


def test_an_expected_check_without_a_result_is_pending_not_false() -> None:
    facts = derive_facts(
        [], ZONES["wl-1"], expected=(CheckName.IDENTITY, CheckName.GUARDIANSHIP, CheckName.HUKOU)
    )
    assert facts.is_pending("hukou_in_zone")
    assert facts.get("property_in_zone_owned_by_guardian") is False
    assert facts.get("social_insurance_months") == 0


def test_residence_in_zone_from_any_verified_home() -> None:
    world = World()
    declared = _migrant_family(world)
    assert _facts(declared, world.departments()).get("residence_in_zone") is True
    assert _facts(declared, world.departments(), school="wl-2").get("residence_in_zone") is False


def test_facts_refuse_unknown_names_and_wrong_types() -> None:
    with pytest.raises(ValueError, match="unknown fact"):
        Facts.of(hukou_in_zon=True)
    with pytest.raises(ValueError, match="must be a number"):
        Facts.of(social_insurance_months=True)
    with pytest.raises(ValueError, match="must be a date"):
        Facts.of(hukou_move_in_date=dt.datetime(2020, 1, 1, 8, 0))
    with pytest.raises(ValueError, match="both known and pending"):
        Facts.of(hukou_in_zone=True, pending=["hukou_in_zone"])
