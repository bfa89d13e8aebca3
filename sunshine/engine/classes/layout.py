"""The classes as they fill up: sizes and per-class sums, kept exact in integers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sunshine.engine.classes.features import Features

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PART_NAMES = ("sex", "special_needs", "balance")


class Layout:
    """Which class each pupil is in, with the per-class sums the objective reads.

    The objective has three parts, compared in order (a later part only breaks ties):

    1. sex: Σ over classes of ‖(boys, girls) − (all boys, all girls) / classes‖²;
    2. special needs: the same for special-needs pupils;
    3. balance: Σ over classes of ‖sum of the balance features‖² (see ``features``).

    Sizes are held to ``q`` or ``q + 1`` pupils, with exactly ``r`` classes of ``q + 1``.
    """

    def __init__(self, features: Features, class_count: int) -> None:
        pupils = features.counts.shape[0]
        self.parts: tuple[IntArray, ...] = (
            features.counts[:, :2],
            features.counts[:, 2:],
            features.balance,
        )
        # Counts aim at total / classes; the balance features sum to zero, aiming at zero.
        self.scales = (class_count, class_count, 1)
        self.totals = tuple(part.sum(axis=0) for part in self.parts)
        self.sums: tuple[IntArray, ...] = tuple(
            np.zeros((class_count, part.shape[1]), dtype=np.int64) for part in self.parts
        )
        self.class_count = class_count
        self.base_size, self.large_classes = divmod(pupils, class_count)
        self.sizes: IntArray = np.zeros(class_count, dtype=np.int64)
        self.class_of: IntArray = np.full(pupils, -1, dtype=np.int64)
        self._full_large = 0

    def fits(self, unit_size: int) -> BoolArray:
        """Classes that can take ``unit_size`` more pupils and still meet the size rule."""
        after = self.sizes + unit_size
        room_for_large = self._full_large < self.large_classes
        result: BoolArray = (after <= self.base_size) | (
            (after == self.base_size + 1) & room_for_large
        )
        return result

    def add(self, members: Sequence[int], target: int) -> None:
        self._move(members, target, +1)

    def remove(self, members: Sequence[int], target: int) -> None:
        self._move(members, target, -1)

    def _move(self, members: Sequence[int], target: int, sign: int) -> None:
        was_large = self.sizes[target] == self.base_size + 1
        index = list(members)
        for part, sums in zip(self.parts, self.sums, strict=True):
            sums[target] += sign * part[index].sum(axis=0)
        self.sizes[target] += sign * len(index)
        self.class_of[index] = target if sign > 0 else -1
        is_large = self.sizes[target] == self.base_size + 1
        self._full_large += int(is_large) - int(was_large)

    def placement_keys(self, members: Sequence[int]) -> list[IntArray]:
        """Per part, the objective's increase (times its scale) if ``members`` joined each class."""
        index = list(members)
        keys: list[IntArray] = []
        for part, sums, total, scale in zip(
            self.parts, self.sums, self.totals, self.scales, strict=True
        ):
            unit = part[index].sum(axis=0)
            gap = scale * sums - total
            keys.append(2 * (gap @ unit) + scale * int(unit @ unit))
        return keys

    def swap(self, first: int, second: int) -> None:
        """Exchange two pupils of different classes."""
        first_class, second_class = int(self.class_of[first]), int(self.class_of[second])
        for part, sums in zip(self.parts, self.sums, strict=True):
            change = part[second] - part[first]
            sums[first_class] += change
            sums[second_class] -= change
        self.class_of[first], self.class_of[second] = second_class, first_class

    def uneven_counts(self) -> bool:
        """Whether boys, girls or special-needs pupils differ by more than one somewhere."""
        return any(bool((sums.max(axis=0) - sums.min(axis=0) > 1).any()) for sums in self.sums[:2])
