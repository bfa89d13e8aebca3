"""Checks on a placement request, each failing with a message naming the pupils at fault."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sunshine.engine.classes.model import PlacementError, PlacementRequest, Pupil


def _check_pupil(pupil: Pupil) -> None:
    if not isinstance(pupil.pupil_id, str) or not pupil.pupil_id:
        raise PlacementError(f"pupil ID must be non-empty text, not {pupil.pupil_id!r}")
    if pupil.sex not in ("M", "F"):
        raise PlacementError(f"pupil {pupil.pupil_id}: sex must be 'M' or 'F', not {pupil.sex!r}")
    if isinstance(pupil.birth_month, bool) or not isinstance(pupil.birth_month, int):
        raise PlacementError(f"pupil {pupil.pupil_id}: birth month must be an integer")
    for subject, score in pupil.scores.items():
        if not isinstance(score, int | float) or not math.isfinite(score):
            raise PlacementError(f"pupil {pupil.pupil_id}: score in {subject!r} is not a number")


def sorted_pupils(pupils: Sequence[Pupil]) -> list[Pupil]:
    """The pupils ordered by ID, refusing duplicates and malformed records."""
    seen: set[str] = set()
    for pupil in pupils:
        _check_pupil(pupil)
        if pupil.pupil_id in seen:
            raise PlacementError(f"pupil {pupil.pupil_id} appears twice")
        seen.add(pupil.pupil_id)
    return sorted(pupils, key=lambda pupil: pupil.pupil_id)


def class_count(request: PlacementRequest, pupil_count: int) -> int:
    """Number of classes asked for, directly or through the largest class size."""
    if (request.class_count is None) == (request.class_size is None):
        raise PlacementError("give exactly one of class_count and class_size")
    if request.class_count is not None:
        if request.class_count < 1:
            raise PlacementError(f"class_count must be at least 1, not {request.class_count}")
        return request.class_count
    assert request.class_size is not None
    if request.class_size < 1:
        raise PlacementError(f"class_size must be at least 1, not {request.class_size}")
    return max(1, -(-pupil_count // request.class_size))


def twin_groups(pupils: Sequence[Pupil]) -> dict[str, list[Pupil]]:
    """Siblings by twin group (groups of two or more), each group with one request."""
    groups: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        if pupil.twin_group is not None:
            groups.setdefault(pupil.twin_group, []).append(pupil)
    for name, members in groups.items():
        if len({member.twins_together for member in members}) > 1:
            ids = ", ".join(member.pupil_id for member in members)
            raise PlacementError(
                f"twin group {name!r} ({ids}) asks both together and apart; "
                "the family's request must be the same for every sibling"
            )
    return {name: members for name, members in groups.items() if len(members) > 1}


def separation_pairs(pairs: Sequence[tuple[str, str]], known: set[str]) -> list[tuple[str, str]]:
    """The must-separate pairs, each as (smaller ID, larger ID), without repeats."""
    cleaned: set[tuple[str, str]] = set()
    for pair in pairs:
        first, second = pair
        for pupil_id in (first, second):
            if pupil_id not in known:
                raise PlacementError(f"must-separate pair names unknown pupil {pupil_id!r}")
        if first == second:
            raise PlacementError(f"pupil {first} cannot be separated from themself")
        cleaned.add((min(first, second), max(first, second)))
    return sorted(cleaned)
