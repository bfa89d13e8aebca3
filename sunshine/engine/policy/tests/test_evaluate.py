"""Categories with their reasons, what-if counts, and priorities inside a category."""

from __future__ import annotations

import datetime as dt

import pytest

from sunshine.engine.checks import Facts
from sunshine.engine.policy import (
    PendingFacts,
    default_policy_text,
    evaluate,
    load_default_policy,
    load_policy,
    priority_ranks,
    what_if,
)

POLICY = load_default_policy()


def _ordered_by_facts() -> str:
    """The template with fact tie-breaks inside categories 1-4, as some bureaus order them."""
    text = default_policy_text()
    for keys in (
        '["hukou_move_in_date", "lottery"]',
        '["hukou_move_in_date", "lottery"]',
        '["property_registration_date", "lottery"]',
        '["social_insurance_months desc", "lottery"]',
    ):
        text = text.replace('\ntie_break = ["lottery"]', f"\ntie_break = {keys}", 1)
    return text


ORDERED = load_policy(_ordered_by_facts())
LONG_AGO = dt.date(2019, 1, 1)


def owner_at_hukou(moved_in: dt.date = LONG_AGO) -> Facts:
    return Facts.of(
        hukou_in_zone=True,
        hukou_move_in_date=moved_in,
        property_in_zone_owned_by_guardian=True,
        hukou_same_as_property=True,
    )


def hukou_only(moved_in: dt.date = LONG_AGO) -> Facts:
    return Facts.of(hukou_in_zone=True, hukou_move_in_date=moved_in)


def owner_only(registered: dt.date | None = dt.date(2022, 3, 1)) -> Facts:
    return Facts.of(property_in_zone_owned_by_guardian=True, property_registration_date=registered)


def migrant(months: int = 12) -> Facts:
    return Facts.of(
        rental_in_zone_registered=True, social_insurance_months=months, has_residence_permit=True
    )


@pytest.mark.parametrize(
    ("facts", "category"),
    [
        (owner_at_hukou(), 1),
        (Facts.of(**{**owner_at_hukou().values, "hukou_same_as_property": False}), 2),
        (hukou_only(), 2),
        (owner_only(), 3),
        (owner_at_hukou(dt.date(2024, 9, 1)), 3),  # moved in on the cut-off day
        (migrant(12), 4),
        (migrant(11), 5),
        (Facts.of(rental_in_zone_registered=True, social_insurance_months=24), 5),
        (Facts.of(), 5),
    ],
)
def test_default_policy_categories(facts: Facts, category: int) -> None:
    assignment = evaluate(POLICY, facts)
    assert assignment.category == category
    assert assignment.offline_check is (category == 5)
    assert assignment.name is not None and assignment.name.startswith("第")


def test_assignment_explains_itself_and_the_categories_passed_over() -> None:
    assignment = evaluate(POLICY, owner_only())
    assert [(use.fact, use.value) for use in assignment.reasons] == [
        ("property_in_zone_owned_by_guardian", True)
    ]
    assert [miss.category for miss in assignment.passed_over] == [1, 2]
    category_2 = assignment.passed_over[1]
    # Both parts of category 2 fail (no hukou in the zone, no move-in date), so both are named.
    assert [use.fact for use in category_2.facts] == ["hukou_in_zone", "hukou_move_in_date"]


def test_pending_fact_that_could_raise_the_category_holds_the_decision() -> None:
    facts = Facts.of(
        hukou_in_zone=False,
        pending=["property_in_zone_owned_by_guardian", "property_registration_date"],
    )
    assignment = evaluate(POLICY, facts)
    assert assignment.category is None and not assignment.determined
    assert assignment.pending_facts == ("property_in_zone_owned_by_guardian",)
    assert [miss.category for miss in assignment.passed_over] == [1, 2]


def test_pending_fact_that_cannot_matter_does_not_hold_it() -> None:
    facts = Facts.of(**owner_at_hukou().values, pending=["social_insurance_months"])
    assert evaluate(POLICY, facts).category == 1


def test_pending_tie_break_fact_keeps_the_category_but_is_reported() -> None:
    category_3 = 'condition = "property_in_zone_owned_by_guardian"\ntie_break = ["lottery"]'
    assert category_3 in default_policy_text()
    policy = load_policy(
        default_policy_text().replace(
            category_3,
            category_3.replace('["lottery"]', '["social_insurance_months desc", "lottery"]'),
        )
    )
    facts = Facts.of(property_in_zone_owned_by_guardian=True, pending=["social_insurance_months"])
    assignment = evaluate(policy, facts)
    assert assignment.category == 3
    assert assignment.tie_break_pending == ("social_insurance_months",)
    with pytest.raises(PendingFacts) as caught:
        priority_ranks(policy, [owner_only(), facts])
    assert caught.value.positions == (1,)


def test_what_if_counts_per_school_and_category_before_a_change_is_adopted() -> None:
    moved_in_2022 = owner_at_hukou(dt.date(2022, 5, 1))
    undecided = Facts.of(hukou_in_zone=False, pending=["property_in_zone_owned_by_guardian"])
    applicants = {
        "wl-1": [owner_at_hukou(), moved_in_2022, hukou_only(), undecided],
        "wl-2": [migrant(), Facts.of()],
    }
    now = what_if(POLICY, applicants)
    assert dict(now["wl-1"].by_category) == {1: 2, 2: 1, 3: 0, 4: 0, 5: 0}
    assert (now["wl-1"].pending, now["wl-1"].total) == (1, 4)
    assert dict(now["wl-2"].by_category) == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert now["wl-2"].offline_check == 1

    stricter = load_policy(
        default_policy_text().replace("move_in_cutoff = 2024-09-01", "move_in_cutoff = 2021-09-01")
    )
    then = what_if(stricter, applicants)
    # The family that moved its hukou in 2022 owns its home in the zone: category 3.
    assert dict(then["wl-1"].by_category) == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}


def test_priority_is_category_then_earlier_move_in() -> None:
    applicants = [
        owner_at_hukou(dt.date(2020, 5, 1)),
        owner_at_hukou(dt.date(2019, 1, 1)),
        owner_only(),
        owner_at_hukou(dt.date(2019, 1, 1)),
        Facts.of(),
    ]
    # Equal keys share a rank; the lottery orders them afterwards.
    assert priority_ranks(ORDERED, applicants) == [2, 1, 3, 1, 4]
    # Under the default template only the category counts; the lottery does the rest.
    assert priority_ranks(POLICY, applicants) == [1, 1, 2, 1, 3]


def test_descending_tie_break_puts_the_longest_contributor_first() -> None:
    assert priority_ranks(ORDERED, [migrant(14), migrant(30), migrant(14)]) == [2, 1, 2]


def test_absent_tie_break_fact_sorts_after_present_ones() -> None:
    applicants = [
        owner_only(None),
        owner_only(dt.date(2023, 1, 1)),
        owner_only(dt.date(2021, 1, 1)),
    ]
    assert priority_ranks(ORDERED, applicants) == [3, 2, 1]


def test_undetermined_category_blocks_priorities() -> None:
    undecided = Facts.of(pending=["hukou_in_zone", "hukou_move_in_date"])
    with pytest.raises(PendingFacts) as caught:
        priority_ranks(POLICY, [owner_at_hukou(), undecided])
    assert caught.value.positions == (1,)
