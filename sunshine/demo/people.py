"""Identity numbers, phone numbers and birth dates, unique across the city."""

from __future__ import annotations

import datetime as dt
import random

from sunshine.engine.idnumber import Sex, compose

# Mobile number prefixes allocated to China Mobile, China Unicom and China Telecom
# (MIIT numbering plan): 13x, 150-153, 155-159, 18x, 191, 193, 195-199.
MOBILE_PREFIXES: tuple[str, ...] = (
    *(f"13{d}" for d in range(10)),
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    *(f"18{d}" for d in range(10)),
    "191", "193", "195", "196", "197", "198", "199",
)  # fmt: skip

MALE_SHARE_AT_BIRTH = 0.52  # China's sex ratio at birth was about 111 boys to 100 girls


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day between ``first`` and ``last`` inclusive, uniformly."""
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def years_before(rng: random.Random, date: dt.date, low: int, high: int) -> dt.date:
    """A birth date making someone between ``low`` and ``high`` years older than ``date``."""
    return date - dt.timedelta(days=rng.randint(low * 365, high * 365 + 364))


def random_sex(rng: random.Random) -> Sex:
    return Sex.MALE if rng.random() < MALE_SHARE_AT_BIRTH else Sex.FEMALE


class IdRegistry:
    """Issues GB 11643 numbers, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def issue(self, region_code: str, birth_date: dt.date, sex: Sex) -> str:
        return self.issue_consecutive(region_code, birth_date, (sex,))[0]

    def issue_consecutive(
        self, region_code: str, birth_date: dt.date, sexes: tuple[Sex, ...]
    ) -> tuple[str, ...]:
        """Numbers for a multiple birth: registered together, so the sequence codes follow
        one another (the next free code of the right parity: odd for boys, even for girls)."""
        while True:
            sequence = self._rng.randint(1, 960)
            codes: list[int] = []
            for sex in sexes:
                sequence += (sequence % 2 == 1) != (sex is Sex.MALE)
                codes.append(sequence)
                sequence += 1
            if codes[-1] > 999:
                continue
            prefixes = [f"{region_code}{birth_date:%Y%m%d}{code:03d}" for code in codes]
            if any(prefix in self._used for prefix in prefixes):
                continue
            self._used.update(prefixes)
            return tuple(compose(region_code, birth_date, code) for code in codes)


class PhoneBook:
    """Hands out distinct 11-digit mobile numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def issue(self) -> str:
        while True:
            number = self._rng.choice(MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._used:
                self._used.add(number)
                return number
