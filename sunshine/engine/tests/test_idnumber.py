"""GB 11643-1999 identity numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sunshine.engine import idnumber
from sunshine.engine.idnumber import IdNumberProblem, InvalidIdNumber, Sex


def test_the_standards_worked_example_has_check_character_x() -> None:
    # GB 11643-1999, Appendix A: 11010519491231002X (Beijing, born 31 Dec 1949, a woman).
    parsed = idnumber.parse("11010519491231002X")
    assert idnumber.check_character("11010519491231002") == "X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex is Sex.FEMALE


def test_full_width_digits_spaces_and_a_small_x_are_accepted() -> None:
    assert idnumber.normalise(" １１０１０５\u3000194912310０2x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("1101051949123100", IdNumberProblem.LENGTH),
        ("11010519491231002Y", IdNumberProblem.CHARACTERS),
        # A superscript two passes str.isdigit but is no digit of an ID number.
        ("1101051949123100²X", IdNumberProblem.CHARACTERS),
        ("11010519491231002²", IdNumberProblem.CHARACTERS),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", IdNumberProblem.CHARACTERS),
        ("99010519491231002X", IdNumberProblem.REGION),
        ("110105194902300021", IdNumberProblem.BIRTH_DATE),
        ("110105194912310021", IdNumberProblem.CHECK_DIGIT),
    ],
)
def test_each_problem_is_named_with_a_message_for_parents(
    raw: str, problem: IdNumberProblem
) -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        idnumber.parse(raw)
    assert refused.value.problem is problem
    assert str(refused.value) == problem.message


def test_a_birth_date_after_today_is_refused() -> None:
    future = idnumber.compose("430702", dt.date(2030, 1, 1), 1)
    with pytest.raises(InvalidIdNumber):
        idnumber.parse(future, today=dt.date(2026, 1, 1))


@given(
    region=st.sampled_from(sorted(idnumber.CHANGDE_DIVISIONS)),
    born=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_a_composed_number_parses_back_to_its_parts(
    region: str, born: dt.date, sequence: int
) -> None:
    parsed = idnumber.parse(idnumber.compose(region, born, sequence))
    assert (parsed.region_code, parsed.birth_date) == (region, born)
    assert parsed.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16))
def test_changing_any_one_digit_breaks_the_check(first17: str, position: int) -> None:
    number = first17 + idnumber.check_character(first17)
    changed = str((int(number[position]) + 1) % 10)
    altered = number[:position] + changed + number[position + 1 :]
    assert idnumber.check_character(altered[:17]) != altered[17]
