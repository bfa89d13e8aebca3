"""Tie-break numbers from the public lottery's draws.

A draw (``sunshine.engine.lottery.draw``) numbers the entries of a frozen list; an
entry is a family, so twins drawn as one entry share its number.
"""

from __future__ import annotations

from collections.abc import Mapping

from sunshine.engine.admission.model import ProblemError


def numbers_from_draw(numbers: Mapping[str, int], entry_of: Mapping[str, str]) -> dict[str, int]:
    """Single tie-breaking: each child gets the number of its entry in one city-wide draw."""
    missing = sorted(child for child, entry in entry_of.items() if entry not in numbers)
    if missing:
        raise ProblemError(f"children whose entry is not in the draw: {missing[:5]!r}")
    return {child: numbers[entry] for child, entry in entry_of.items()}


def numbers_from_school_draws(
    draws: Mapping[str, Mapping[str, int]], entry_of: Mapping[str, str]
) -> dict[tuple[str, str], int]:
    """Multiple tie-breaking: one draw per school; a child's number at a school is its
    entry's number in that school's draw (children absent from a draw get none)."""
    return {
        (child, school): numbers[entry]
        for school, numbers in draws.items()
        for child, entry in entry_of.items()
        if entry in numbers
    }
