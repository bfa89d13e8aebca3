"""Seed sources announced before a draw: public lottery results, drand rounds, on-site numbers.

Every source ends up as one ``name=value`` pair in the seed rule. This module
turns what people type or read off a results page into the one canonical value,
so the same result always gives the same seed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sunshine.engine.lottery.draw import validate_source

KIND_LOTTERY = "lottery"
KIND_DRAND = "drand"
KIND_ONSITE = "onsite"
KIND_OTHER = "other"
KINDS = (KIND_LOTTERY, KIND_DRAND, KIND_ONSITE, KIND_OTHER)

_WHITESPACE = re.compile(r"\s+")
_NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True, slots=True)
class LotteryGame:
    """A public lottery whose numbers of a named draw can seed a draw."""

    code: str
    name: str
    # (how many numbers, smallest, largest, whether the published order matters) per group
    groups: tuple[tuple[int, int, int, bool], ...]


# Formats as published by the China Welfare Lottery (中国福利彩票) and China Sports
# Lottery (中国体育彩票) for each game's draw results.
LOTTERY_GAMES: dict[str, LotteryGame] = {
    game.code: game
    for game in (
        LotteryGame("fc-ssq", "福彩双色球", ((6, 1, 33, False), (1, 1, 16, False))),
        LotteryGame("fc-qlc", "福彩七乐彩", ((7, 1, 30, False), (1, 1, 30, False))),
        LotteryGame("fc-3d", "福彩3D", ((3, 0, 9, True),)),
        LotteryGame("fc-kl8", "福彩快乐8", ((20, 1, 80, False),)),
        LotteryGame("tc-dlt", "体彩超级大乐透", ((5, 1, 35, False), (2, 1, 12, False))),
        LotteryGame("tc-pl3", "体彩排列三", ((3, 0, 9, True),)),
        LotteryGame("tc-pl5", "体彩排列五", ((5, 0, 9, True),)),
        LotteryGame("tc-qxc", "体彩七星彩", ((6, 0, 9, True), (1, 0, 14, True))),
    )
}


def normalise_typed(text: str) -> str:
    """Full-width to half-width (NFKC), outer spaces dropped, inner runs of spaces made one."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


class TwoPersonMismatch(ValueError):
    """The two independent entries of an on-site number differ."""

    def __init__(self, first: str, second: str, position: int) -> None:
        self.first = first
        self.second = second
        self.position = position
        shown_first = first[position - 1] if position <= len(first) else "(结束 end)"
        shown_second = second[position - 1] if position <= len(second) else "(结束 end)"
        super().__init__(
            f"两次录入不一致：第 {position} 个字符 第一人 {shown_first!r}，第二人 {shown_second!r}"
            f" / the two entries differ at character {position}: first {shown_first!r},"
            f" second {shown_second!r} (first {first!r}, second {second!r})"
        )


def accept_two_person_entry(first: str, second: str) -> str:
    """The agreed value of a number typed by two people independently, or TwoPersonMismatch."""
    first_normal = normalise_typed(first)
    second_normal = normalise_typed(second)
    if not first_normal or not second_normal:
        raise ValueError("两次录入都不能为空 / both entries must be non-empty")
    if first_normal != second_normal:
        position = next(
            (
                index
                for index, (a, b) in enumerate(zip(first_normal, second_normal, strict=False), 1)
                if a != b
            ),
            min(len(first_normal), len(second_normal)) + 1,
        )
        raise TwoPersonMismatch(first_normal, second_normal, position)
    return first_normal


def lottery_value(game_code: str, numbers: str) -> str:
    """Canonical value of a lottery result: groups joined by ' + ', numbers by one space.

    Numbers are written without leading zeros; groups whose order is not part of
    the result (e.g. 双色球 red balls) are sorted ascending.
    """
    game = LOTTERY_GAMES.get(game_code)
    if game is None:
        known = ", ".join(sorted(LOTTERY_GAMES))
        raise ValueError(f"unknown lottery game {game_code!r}; known games: {known}")
    group_texts = [part for part in normalise_typed(numbers).split("+")]
    if len(group_texts) != len(game.groups):
        raise ValueError(
            f"{game.name} results have {len(game.groups)} group(s) separated by '+',"
            f" got {len(group_texts)}: {numbers!r}"
        )
    canonical_groups: list[str] = []
    for index, (text, (count, low, high, ordered)) in enumerate(
        zip(group_texts, game.groups, strict=True), start=1
    ):
        tokens = [token for token in _NUMBER_SEPARATORS.split(text.strip()) if token]
        if len(tokens) != count or not all(t.isascii() and t.isdigit() for t in tokens):
            raise ValueError(
                f"{game.name} group {index} has {count} number(s) from {low} to {high},"
                f" got {text.strip()!r}"
            )
        values = [int(token) for token in tokens]
        if any(not low <= value <= high for value in values):
            raise ValueError(f"{game.name} group {index}: numbers must be {low}..{high}: {values}")
        if not ordered:
            if len(set(values)) != len(values):
                raise ValueError(f"{game.name} group {index} repeats a number: {values}")
            values.sort()
        canonical_groups.append(" ".join(str(value) for value in values))
    return " + ".join(canonical_groups)


def lottery_source_name(game_code: str, draw_number: str) -> str:
    """Seed-rule name of a lottery result, e.g. ``lottery:tc-dlt:25001``."""
    draw_text = normalise_typed(draw_number)
    if not draw_text.isascii() or not draw_text.isalnum():
        raise ValueError(f"draw number {draw_number!r} must be letters and digits (期号)")
    return f"{KIND_LOTTERY}:{game_code}:{draw_text}"


@dataclass(frozen=True, slots=True)
class Source:
    """One seed source as recorded: its name, kind, canonical value and public evidence."""

    name: str
    kind: str
    value: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"source kind must be one of {KINDS}, not {self.kind!r}")
        validate_source(self.name, self.value)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "evidence": dict(self.evidence),
        }


def lottery_source(game_code: str, draw_number: str, numbers: str) -> Source:
    """A public lottery result (福彩 / 体彩) of a named draw."""
    name = lottery_source_name(game_code, draw_number)
    value = lottery_value(game_code, numbers)
    evidence = {"game": game_code, "game_name": LOTTERY_GAMES[game_code].name}
    return Source(name=name, kind=KIND_LOTTERY, value=value, evidence=evidence)


def onsite_source(label: str, first_entry: str, second_entry: str) -> Source:
    """A number contributed on site, accepted only when both typists agree."""
    value = accept_two_person_entry(first_entry, second_entry)
    return Source(name=f"{KIND_ONSITE}:{label}", kind=KIND_ONSITE, value=value)


def source_values(sources: list[Source] | tuple[Source, ...]) -> dict[str, str]:
    """``name -> value`` for the seed rule; names must be unique."""
    values: dict[str, str] = {}
    for source in sources:
        if source.name in values:
            raise ValueError(f"source {source.name!r} is given twice")
        values[source.name] = source.value
    return values
