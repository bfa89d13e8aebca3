"""Seed sources: two-person entry on site, public lottery results."""

from __future__ import annotations

import pytest

from sunshine.engine.lottery import TwoPersonMismatch, accept_two_person_entry
from sunshine.engine.lottery.sources import lottery_source, lottery_value, onsite_source


def test_two_people_typing_the_same_number_agree() -> None:
    assert accept_two_person_entry("20250701", "20250701") == "20250701"


def test_full_width_digits_and_extra_spaces_do_not_count_as_disagreement() -> None:
    assert accept_two_person_entry("１２  ３４", " 12 34") == "12 34"


def test_a_mistyped_digit_is_refused_naming_the_position() -> None:
    with pytest.raises(TwoPersonMismatch, match="character 4: first '5', second '6'") as caught:
        accept_two_person_entry("12356", "12366")
    assert caught.value.position == 4
    assert "第 4 个字符" in str(caught.value)


def test_a_missing_digit_is_refused_naming_where_one_entry_ends() -> None:
    with pytest.raises(TwoPersonMismatch) as caught:
        accept_two_person_entry("1234", "12345")
    assert caught.value.position == 5


def test_an_empty_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        accept_two_person_entry("", "1")


def test_onsite_source_carries_the_agreed_value() -> None:
    source = onsite_source("notary", "７７７", "777")
    assert (source.name, source.kind, source.value) == ("onsite:notary", "onsite", "777")


def test_super_lotto_result_is_normalised_to_one_form() -> None:
    # 大乐透: five front numbers from 1..35, two back numbers from 1..12.
    assert lottery_value("tc-dlt", "33，03 19 27 11 + 12 04") == "3 11 19 27 33 + 4 12"


def test_digit_games_keep_the_published_order() -> None:
    assert lottery_value("fc-3d", "9 0 5") == "9 0 5"


@pytest.mark.parametrize(
    ("game", "numbers", "message"),
    [
        ("fc-ssq", "1 2 3 4 5 6", "2 group"),
        ("fc-ssq", "1 2 3 4 5 34 + 7", "1..33"),
        ("fc-ssq", "1 2 3 4 5 5 + 7", "repeats"),
        ("tc-dlt", "1 2 3 4 + 5 6", "5 number"),
        ("xx-none", "1", "unknown lottery game"),
    ],
)
def test_impossible_lottery_results_are_refused(game: str, numbers: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lottery_value(game, numbers)


def test_lottery_source_is_named_after_game_and_draw() -> None:
    source = lottery_source("fc-ssq", "2025078", "01 07 12 19 25 33 + 08")
    assert source.name == "lottery:fc-ssq:2025078"
    assert source.value == "1 7 12 19 25 33 + 8"
