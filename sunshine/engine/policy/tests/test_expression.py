"""The condition language: precedence, types, three-valued logic, hostile input."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.checks import FACT_TYPES, Facts, FactValue
from sunshine.engine.policy.expression import (
    MAX_DEPTH,
    ExpressionError,
    bind_condition,
    compile_condition,
    evaluate,
    names_in,
    parse,
)

PARAMETERS = {"cutoff": dt.date(2024, 9, 1), "min_months": 12}


def _value(text: str, facts: Facts) -> bool | None:
    return evaluate(bind_condition(parse(text), FACT_TYPES, PARAMETERS), facts).value


def _error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        bind_condition(parse(text), FACT_TYPES, PARAMETERS)
    return caught.value


@pytest.mark.parametrize(
    ("hukou", "owner", "rental", "expected"),
    # "a or b and c" reads as "a or (b and c)"
    [(True, False, False, True), (False, True, False, False), (False, True, True, True)],
)
def test_and_binds_tighter_than_or(hukou: bool, owner: bool, rental: bool, expected: bool) -> None:
    facts = Facts.of(
        hukou_in_zone=hukou,
        property_in_zone_owned_by_guardian=owner,
        rental_in_zone_registered=rental,
    )
    text = "hukou_in_zone or property_in_zone_owned_by_guardian and rental_in_zone_registered"
    assert _value(text, facts) is expected
    bracketed = (
        "(hukou_in_zone or property_in_zone_owned_by_guardian) and rental_in_zone_registered"
    )
    assert _value(bracketed, facts) is ((hukou or owner) and rental)


def test_not_binds_tighter_than_and() -> None:
    facts = Facts.of(hukou_in_zone=False, has_residence_permit=False)
    assert _value("not hukou_in_zone and has_residence_permit", facts) is False
    assert _value("not (hukou_in_zone and has_residence_permit)", facts) is True


@pytest.mark.parametrize(
    ("moved_in", "before_cutoff"),
    [(dt.date(2024, 8, 31), True), (dt.date(2024, 9, 1), False), (dt.date(2024, 9, 2), False)],
)
def test_date_comparison_against_literal_and_parameter(
    moved_in: dt.date, before_cutoff: bool
) -> None:
    facts = Facts.of(hukou_move_in_date=moved_in)
    assert _value("hukou_move_in_date < 2024-09-01", facts) is before_cutoff
    assert _value("hukou_move_in_date < cutoff", facts) is before_cutoff
    assert _value("hukou_move_in_date >= cutoff", facts) is (not before_cutoff)


@pytest.mark.parametrize(("months", "enough"), [(11, False), (12, True), (13, True)])
def test_number_comparison(months: int, enough: bool) -> None:
    facts = Facts.of(social_insurance_months=months)
    assert _value("social_insurance_months >= min_months", facts) is enough
    assert _value("social_insurance_months >= 12", facts) is enough
    assert _value("social_insurance_months != 12", facts) is (months != 12)


def test_two_facts_can_be_compared() -> None:
    facts = Facts.of(
        property_registration_date=dt.date(2020, 1, 1), hukou_move_in_date=dt.date(2021, 1, 1)
    )
    assert _value("property_registration_date < hukou_move_in_date", facts) is True


def test_comparison_with_an_absent_fact_is_false_either_way() -> None:
    facts = Facts.of()
    assert _value("hukou_move_in_date < cutoff", facts) is False
    assert _value("hukou_move_in_date >= cutoff", facts) is False
    assert _value("hukou_in_zone", facts) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hukou_in_zone and property_in_zone_owned_by_guardian", False),  # false decides and
        ("rental_in_zone_registered and property_in_zone_owned_by_guardian", None),
        ("rental_in_zone_registered or hukou_found", True),  # true decides or
        ("rental_in_zone_registered or hukou_in_zone", None),
        ("not rental_in_zone_registered", None),
        ("social_insurance_months >= 12 or hukou_found", True),
        ("social_insurance_months >= 12", None),
    ],
)
def test_pending_facts_leave_a_result_open_only_when_they_could_change_it(
    text: str, expected: bool | None
) -> None:
    facts = Facts.of(
        hukou_in_zone=False,
        hukou_found=True,
        property_in_zone_owned_by_guardian=True,
        pending=["rental_in_zone_registered", "social_insurance_months"],
    )
    assert _value(text, facts) is expected


def test_outcome_names_the_facts_that_decided_it() -> None:
    facts = Facts.of(
        hukou_in_zone=False, property_in_zone_owned_by_guardian=False, hukou_found=True
    )
    expr = bind_condition(
        parse("hukou_in_zone and hukou_found or property_in_zone_owned_by_guardian"),
        FACT_TYPES,
        PARAMETERS,
    )
    outcome = evaluate(expr, facts)
    assert outcome.value is False
    # hukou_found was true, so it did not decide that the first branch failed.
    assert outcome.decided_by == ("hukou_in_zone", "property_in_zone_owned_by_guardian")
    assert names_in(expr) == ("hukou_in_zone", "hukou_found", "property_in_zone_owned_by_guardian")


def test_parameters_are_substituted_so_only_facts_are_named() -> None:
    expr = bind_condition(parse("hukou_move_in_date < cutoff"), FACT_TYPES, PARAMETERS)
    assert names_in(expr) == ("hukou_move_in_date",)


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("hukou_in_zone && property_in_zone_owned_by_guardian", 15, "write 'and'"),
        ("hukou_in_zone || hukou_found", 15, "write 'or'"),
        ("social_insurance_months = 12", 25, "write '=='"),
        ("hukou_in_zon", 1, "did you mean 'hukou_in_zone'"),
        ("social_insurance_months", 1, "is a number, not a condition"),
        ("hukou_move_in_date", 1, "is a date, not a condition"),
        ("social_insurance_months >= 2024-09-01", 25, "cannot compare a number with a date"),
        ("hukou_in_zone < hukou_found", 15, "needs numbers or dates"),
        ("0 < social_insurance_months < 24", 29, "cannot be chained"),
        ("(hukou_in_zone and hukou_found", 31, "missing ')'"),
        ("hukou_in_zone and", 18, "found the end"),
        ("hukou_in_zone hukou_found", 15, "unexpected 'hukou_found'"),
        ("hukou_move_in_date < 2024-02-30", 22, "not a date"),
        ("(hukou_in_zone and hukou_found) == true", 2, "compare a fact with a value"),
        ("12", 1, "this is a number, not a condition"),
        ('hukou_in_zone == "yes"', 18, "text values are not supported"),
    ],
)
def test_errors_say_what_is_wrong_and_where(text: str, column: int, words: str) -> None:
    error = _error(text)
    assert error.column == column
    assert words in error.message


def test_deep_nesting_is_refused_instead_of_exhausting_the_stack() -> None:
    deep = "(" * (MAX_DEPTH + 1) + "hukou_in_zone" + ")" * (MAX_DEPTH + 1)
    assert "nested" in _error(deep).message
    many_nots = "not " * 10_000 + "hukou_in_zone"
    assert "longer than" in _error(many_nots).message


def test_nothing_is_executed() -> None:
    for hostile in ["__import__('os').system('true')", "hukou_in_zone.__class__", "exec"]:
        with pytest.raises(ExpressionError):
            bind_condition(parse(hostile), FACT_TYPES, PARAMETERS)


_BOOL_FACTS = ["hukou_in_zone", "hukou_found", "rental_registered", "has_residence_permit"]


@st.composite
def _conditions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from([*_BOOL_FACTS, "true", "false"]))
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return f"not ({draw(_conditions(depth + 1))})"
    return f"({draw(_conditions(depth + 1))}) {kind} ({draw(_conditions(depth + 1))})"


@settings(max_examples=200, deadline=None)
@given(
    _conditions(),
    st.dictionaries(st.sampled_from(_BOOL_FACTS), st.booleans() | st.none()),
)
def test_a_decided_condition_stays_decided_however_pending_facts_turn_out(
    text: str, assignment: dict[str, bool | None]
) -> None:
    known = {name: value for name, value in assignment.items() if value is not None}
    pending = [name for name, value in assignment.items() if value is None]
    expr = bind_condition(parse(text), FACT_TYPES, {})
    value = evaluate(expr, Facts.of(pending=pending, **known)).value
    if value is None:
        return
    for values in itertools.product([True, False], repeat=len(pending)):
        completed = Facts.of(**known, **dict(zip(pending, values, strict=True)))
        assert evaluate(expr, completed).value is value


@st.composite
def _conditions_with_comparisons(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(
            st.sampled_from(
                [
                    *_BOOL_FACTS,
                    "true",
                    "hukou_move_in_date < cutoff",
                    "cutoff >= hukou_move_in_date",
                    "social_insurance_months >= min_months",
                    "social_insurance_months != 6",
                    "rental_months > social_insurance_months",
                ]
            )
        )
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return f"not ({draw(_conditions_with_comparisons(depth + 1))})"
    left = draw(_conditions_with_comparisons(depth + 1))
    return f"({left}) {kind} ({draw(_conditions_with_comparisons(depth + 1))})"


@settings(max_examples=300, deadline=None)
@given(
    _conditions_with_comparisons(),
    st.dictionaries(st.sampled_from(_BOOL_FACTS), st.booleans() | st.none()),
    st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2026, 1, 1)),
    st.none() | st.integers(0, 24),
    st.none() | st.integers(0, 24),
    st.sets(st.sampled_from(["hukou_move_in_date", "social_insurance_months", "rental_months"])),
)
def test_a_compiled_condition_decides_as_evaluation_does(
    text: str,
    assignment: dict[str, bool | None],
    moved_in: dt.date | None,
    insured: int | None,
    rented: int | None,
    waiting: set[str],
) -> None:
    known: dict[str, FactValue | None] = {
        name: value for name, value in assignment.items() if value is not None
    }
    known |= {
        "hukou_move_in_date": moved_in,
        "social_insurance_months": insured,
        "rental_months": rented,
    }
    pending = [name for name, value in assignment.items() if value is None]
    facts = Facts.of(
        pending=[*pending, *waiting],
        **{name: value for name, value in known.items() if name not in waiting},
    )
    expr = bind_condition(parse(text), FACT_TYPES, PARAMETERS)
    assert compile_condition(expr)(facts) == evaluate(expr, facts)
