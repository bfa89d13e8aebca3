"""Loading policy files: the default template, and every mistake named with its line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sunshine.engine.checks import FACT_TYPES
from sunshine.engine.policy import (
    PolicyError,
    TieBreak,
    default_policy_text,
    load_default_policy,
    load_policy,
)
from sunshine.engine.policy.expression import names_in

VALID = """\
[policy]
name = "测试政策"
term = "2025"

[parameters]
move_in_cutoff = 2024-09-01

[[category]]
number = 1
name = "第一类"
condition = "hukou_in_zone and hukou_move_in_date < move_in_cutoff"
tie_break = ["hukou_move_in_date", "lottery"]

[[category]]
number = 2
name = "第二类"
condition = "true"
offline_check = true
"""


def _line(text: str, needle: str) -> int:
    """The 1-based line holding ``needle``, found independently of the loader."""
    matches = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(matches) == 1, f"{needle!r} should occur once"
    return matches[0]


def _problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(PolicyError) as caught:
        load_policy(text)
    return [(problem.line, problem.message) for problem in caught.value.problems]


def test_valid_policy_loads_with_its_parts() -> None:
    policy = load_policy(VALID)
    assert policy.name == "测试政策" and policy.term == "2025"
    assert policy.parameters == {"move_in_cutoff": dt.date(2024, 9, 1)}
    first, last = policy.categories
    assert first.tie_break == (TieBreak("hukou_move_in_date"), TieBreak("lottery"))
    assert last.offline_check and last.tie_break == (TieBreak("lottery"),)
    assert first.line == _line(VALID, "number = 1") - 1  # its [[category]] header
    assert len(policy.source_sha256) == 64


def test_default_template_follows_the_changde_pattern() -> None:
    policy = load_default_policy()
    assert [rule.number for rule in policy.categories] == [1, 2, 3, 4, 5]
    assert [rule.offline_check for rule in policy.categories] == [False] * 4 + [True]
    assert isinstance(policy.parameters["move_in_cutoff"], dt.date)
    conditions = [set(names_in(rule.condition)) for rule in policy.categories]
    assert {"hukou_in_zone", "property_in_zone_owned_by_guardian", "hukou_same_as_property"} <= (
        conditions[0]
    )
    assert {"rental_in_zone_registered", "social_insurance_months", "has_residence_permit"} <= (
        conditions[3]
    )
    assert all(rule.tie_break == (TieBreak("lottery"),) for rule in policy.categories)
    assert default_policy_text().startswith("#")


def test_toml_syntax_error_names_its_line() -> None:
    broken = VALID.replace('name = "第二类"', 'name = "第二类')
    [(line, message)] = _problems(broken)
    assert line == _line(broken, 'name = "第二类')
    assert "not valid TOML" in message


def test_unknown_fact_in_a_condition_names_the_condition_line_and_a_suggestion() -> None:
    text = VALID.replace("hukou_in_zone and", "hukou_in_zon and")
    [(line, message)] = _problems(text)
    assert line == _line(text, "hukou_in_zon and")
    assert "unknown fact or parameter 'hukou_in_zon'" in message
    assert "did you mean 'hukou_in_zone'" in message


def test_unknown_fact_in_a_multiline_condition_names_where_the_condition_starts() -> None:
    text = VALID.replace(
        'condition = "hukou_in_zone and hukou_move_in_date < move_in_cutoff"',
        'condition = """\nhukou_in_zone\nand rental_ok\n"""',
    )
    [(line, message)] = _problems(text)
    assert line == _line(text, 'condition = """')
    assert "'rental_ok'" in message


def test_misspelt_key_is_named_with_its_line() -> None:
    text = VALID.replace("offline_check = true", "offline_chek = true")
    [(line, message)] = _problems(text)
    assert line == _line(text, "offline_chek")
    assert "unknown key 'offline_chek'" in message


def test_every_problem_is_reported_at_once() -> None:
    text = (
        VALID.replace('condition = "true"', 'condition = "hukou_found"')
        .replace('"hukou_move_in_date", "lottery"', '"hukou_move_in_date"')
        .replace("move_in_cutoff = 2024-09-01", "move_in_cutoff = 2024-09-01\nratio = 0.5")
    )
    problems = _problems(text)
    lines = sorted(line for line, _ in problems if line is not None)
    assert lines == sorted(
        [
            _line(text, "ratio = 0.5"),
            _line(text, "tie_break = "),
            _line(text, 'condition = "hukou_found"'),
        ]
    )
    messages = " / ".join(message for _, message in problems)
    assert "must end with 'lottery'" in messages
    assert "last category must have condition" in messages
    assert "must be true/false, an integer or a date" in messages


@pytest.mark.parametrize(
    ("change", "needle", "words"),
    [
        (("number = 2", "number = 3"), "number = 3", "expected 2, found 3"),
        (("offline_check = true", 'offline_check = "yes"'), "offline_check", "true or false"),
        (
            ('"hukou_move_in_date", "lottery"', '"hukou_in_zone", "lottery"'),
            "tie_break",
            "only dates and numbers",
        ),
        (
            ('"hukou_move_in_date", "lottery"', '"moved_in", "lottery"'),
            "tie_break",
            "unknown fact 'moved_in'",
        ),
        (
            ('"hukou_move_in_date", "lottery"', '"lottery", "hukou_move_in_date"'),
            "tie_break",
            "must end with 'lottery'",
        ),
        (
            ('"hukou_move_in_date", "lottery"', '"social_insurance_months up", "lottery"'),
            "tie_break",
            "asc/desc",
        ),
        (("move_in_cutoff = 2024-09-01", "hukou_in_zone = true"), "hukou_in_zone = true",
         "has the name of a fact"),
        (("move_in_cutoff = 2024-09-01", "MoveIn = 2024-09-01"), "MoveIn", "lower-case"),
        (('name = "第一类"', "name = 1"), "name = 1", "'name' must be text"),
    ],
)  # fmt: skip
def test_mistake_is_named_with_its_line(change: tuple[str, str], needle: str, words: str) -> None:
    text = VALID.replace(*change)
    problems = _problems(text)
    assert any(line == _line(text, needle) and words in msg for line, msg in problems), problems


def test_catch_all_may_be_written_with_spaces() -> None:
    text = VALID.replace('condition = "true"', 'condition = "  true "')
    assert load_policy(text).categories[-1].offline_check


def test_missing_name_and_categories_are_reported() -> None:
    problems = _problems('[policy]\nterm = "2025"\n')
    messages = [message for _, message in problems]
    assert "'name' is required" in messages
    assert "at least one [[category]] is required" in messages
    assert problems[0][0] == 1  # the [policy] header


def test_table_markers_inside_a_multiline_text_do_not_confuse_line_numbers() -> None:
    text = VALID.replace(
        'name = "第二类"', 'name = "第二类"\ndescription = """\n[[category]]\nnumber = 9\n"""'
    ).replace("offline_check = true", "offline_chek = true")
    [(line, _)] = _problems(text)
    assert line == _line(text, "offline_chek")


def test_only_fact_names_the_engine_knows_are_accepted() -> None:
    for fact in FACT_TYPES:
        text = VALID.replace(
            "hukou_in_zone and hukou_move_in_date < move_in_cutoff",
            f"{fact}" if FACT_TYPES[fact].value == "bool" else f"{fact} == {fact}",
        )
        assert load_policy(text).categories[0].condition is not None


def test_documentation_describes_every_fact() -> None:
    docs = Path(__file__).resolve().parents[4] / "docs" / "category-policy.md"
    documented = set(
        re.findall(
            r"^\| `([a-z_]+)` \| (?:bool|number|date) \|",
            docs.read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    )
    assert documented == set(FACT_TYPES)
