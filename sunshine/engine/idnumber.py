"""Resident identity numbers (公民身份号码) as defined by GB 11643-1999.

An 18-character number is a 6-digit administrative-division code (GB/T 2260),
an 8-digit birth date, a 3-digit sequence code whose last digit is odd for men
and even for women, and a check character computed by ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from enum import StrEnum

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_WEIGHTED_ZEROS = ord("0") * sum(_WEIGHTS)

# Province-level codes of GB/T 2260 (the first two digits of any division code).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
        "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip

# The divisions of Changde (常德市, 4307xx) under GB/T 2260.
CHANGDE_DIVISIONS = {
    "430702": "武陵区",
    "430703": "鼎城区",
    "430721": "安乡县",
    "430722": "汉寿县",
    "430723": "澧县",
    "430724": "临澧县",
    "430725": "桃源县",
    "430726": "石门县",
    "430781": "津市市",
}


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class IdNumberProblem(StrEnum):
    """Why an ID number was refused; each has a message a parent understands."""

    LENGTH = "length"
    CHARACTERS = "characters"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"

    @property
    def message(self) -> str:
        return _PROBLEM_MESSAGES[self]


_PROBLEM_MESSAGES = {
    IdNumberProblem.LENGTH: "身份证号码应为18位",
    IdNumberProblem.CHARACTERS: "身份证号码前17位应为数字，最后一位为数字或X",
    IdNumberProblem.REGION: "身份证号码前6位不是有效的行政区划代码",
    IdNumberProblem.BIRTH_DATE: "身份证号码中的出生日期无效",
    IdNumberProblem.CHECK_DIGIT: "身份证号码校验位不正确，请逐位核对",
}


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid identity number and what it says about its holder."""

    value: str
    region_code: str
    birth_date: dt.date
    sex: Sex


class InvalidIdNumber(ValueError):
    def __init__(self, problem: IdNumberProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != len(_WEIGHTS):
        raise ValueError(f"need {len(_WEIGHTS)} digits, not {len(first17)}")
    if first17.isascii() and first17.isdigit():
        # The digits' character codes are their values plus 48 ("0"); no int() per digit.
        total = sum(map(operator.mul, first17.encode(), _WEIGHTS)) - _WEIGHTED_ZEROS
    else:
        total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


# Full-width digits and Latin letters (U+FF10..U+FF5A) as IMEs type them, to ASCII.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B)} | {0x3000: None, 0x20: None}


def normalise(raw: str) -> str:
    """Strip spaces and full-width forms that phones and IMEs produce."""
    if raw.isascii():  # the common case; of the table only the space applies
        return raw.strip().replace(" ", "").upper()
    return raw.strip().translate(_HALF_WIDTH).upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate an 18-character ID number; raise InvalidIdNumber saying why not.

    ``today`` bounds the birth date from above when given (the engine has no
    clock, so callers pass it in).
    """
    value = normalise(raw)
    if len(value) != 18:
        raise InvalidIdNumber(IdNumberProblem.LENGTH)
    # isascii first: str.isdigit also accepts superscripts and other scripts' digits.
    if not value.isascii() or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise InvalidIdNumber(IdNumberProblem.CHARACTERS)
    region = value[:6]
    if region[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(IdNumberProblem.REGION)
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(IdNumberProblem.BIRTH_DATE) from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise InvalidIdNumber(IdNumberProblem.BIRTH_DATE)
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(IdNumberProblem.CHECK_DIGIT)
    sex = Sex.MALE if int(value[16]) % 2 == 1 else Sex.FEMALE
    return IdNumber(value=value, region_code=region, birth_date=birth, sex=sex)


def compose(region_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid ID number from its parts (sequence 0-999; odd = male)."""
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
