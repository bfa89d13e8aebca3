"""The shapes class placement reads and returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

ALGORITHM = "sunshine-class-placement/1:greedy-deal+swaps:hmac-drbg-sha256"


class PlacementError(ValueError):
    """The request cannot be placed as asked; the message says which request is at fault."""


def birth_month_index(year: int, month: int) -> int:
    """Months since January of year 0: ``year * 12 + (month - 1)``."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    return year * 12 + (month - 1)


@dataclass(frozen=True)
class Pupil:
    """One admitted pupil, as the placement sees them (a pseudonymous ID, no name)."""

    pupil_id: str
    sex: Literal["M", "F"]
    birth_month: int  # months since January of year 0, see ``birth_month_index``
    scores: Mapping[str, float] = field(default_factory=dict)  # entrance scores by subject
    special_needs: bool = False
    twin_group: str | None = None  # shared by siblings of one multiple birth
    twins_together: bool = True  # the family's request; the same for every sibling


@dataclass(frozen=True, kw_only=True)
class PlacementRequest:
    """Pupils of one school and grade, and how many classes (or how large) to make.

    Give exactly one of ``class_count`` and ``class_size``; with ``class_size`` the
    school gets ``ceil(pupils / class_size)`` classes, none larger than ``class_size``.
    """

    pupils: Sequence[Pupil]
    seed: bytes
    class_count: int | None = None
    class_size: int | None = None
    must_separate: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class PlacementQuality:
    """How balanced the classes came out (differences are largest minus smallest)."""

    class_count: int
    max_size_difference: int
    max_boys_difference: int
    max_girls_difference: int
    birth_month_mean_spread: float  # months, over class means
    score_mean_spread: Mapping[str, float]  # per subject, over pupils with that score
    special_needs_per_class: tuple[int, int]  # (fewest, most)


@dataclass(frozen=True)
class Placement:
    """Class lists (pupil IDs, each list sorted) with the seed and algorithm that made them."""

    classes: tuple[tuple[str, ...], ...]
    quality: PlacementQuality
    seed: bytes
    algorithm: str = ALGORITHM

    def class_of(self) -> dict[str, int]:
        """Each pupil's class index (0-based, in ``classes`` order)."""
        return {pupil: index for index, members in enumerate(self.classes) for pupil in members}
