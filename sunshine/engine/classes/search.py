"""Improvement by moves that keep sizes: swaps of two pupils, and repairs of counts.

A move is made only when it lowers the objective of ``Layout`` (its parts compared in
order); among several, the lowest wins, then the first in member order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sunshine.engine.classes.layout import BoolArray, IntArray, Layout
from sunshine.engine.lottery import RandomStream

MAX_SWEEPS = 60
MAX_REPAIRS = 200
_REPAIR_TRIALS = 2_000  # concrete pupil choices tried per kind of repair
# Pupil kinds: 0 boy, 1 girl, 2 boy with special needs, 3 girl with special needs.
_KIND_SEX = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.int64)
_KIND_SPECIAL = np.array([[0], [0], [1], [1]], dtype=np.int64)
_KIND_ONE_HOT = np.eye(4, dtype=np.int64)
_KIND_CHOICES = {
    movers: np.array(list(itertools.product(range(4), repeat=movers)), dtype=np.int64)
    for movers in (3, 4)
}
_REPAIR_OPTIONS = 500  # count-lowering repairs tried, best first, before giving up


def _destinations(sources: tuple[int, ...]) -> tuple[int, ...]:
    """Where each mover goes: two for two swap classes; three rotate a→b→c→a."""
    if len(sources) == 4:
        return sources[2], sources[3], sources[0], sources[1]
    return sources[1], sources[2], sources[0]


class SwapSearch:
    """Moves pupils outside together-twin groups, never putting conflicting pupils together."""

    def __init__(
        self, layout: Layout, movable: npt.NDArray[np.bool_], conflicts: Sequence[frozenset[int]]
    ) -> None:
        self.layout = layout
        self.conflicts = conflicts
        self.members: list[IntArray] = [
            np.flatnonzero(movable & (layout.class_of == c)).astype(np.int64)
            for c in range(layout.class_count)
        ]
        self.position = np.zeros(len(movable), dtype=np.int64)
        for members in self.members:
            self.position[members] = np.arange(len(members))
        self.norms = [(part * part).sum(axis=1) for part in layout.parts]
        self.has_conflicts = np.array([bool(c) for c in conflicts], dtype=np.bool_)
        self.kinds: IntArray = layout.parts[0][:, 1] + 2 * layout.parts[1][:, 0]

    def run(self, stream: RandomStream) -> int:
        """Swap sweeps, then repairs while counts stay uneven; the number of moves made."""
        moves = self.sweep(stream)
        for _ in range(MAX_REPAIRS):
            if not self.layout.uneven_counts() or not self._repair():
                break
            moves += 1 + self.sweep(stream)
        return moves

    def sweep(self, stream: RandomStream) -> int:
        """Sweep all class pairs in seeded order until a sweep changes nothing; swaps made."""
        classes = self.layout.class_count
        pairs = [(a, b) for a in range(classes) for b in range(a + 1, classes)]
        swaps = 0
        for _ in range(MAX_SWEEPS):
            made = 0
            for first, second in stream.shuffle(pairs):
                while self._improve(first, second):
                    made += 1
            swaps += made
            if made == 0:
                break
        return swaps

    # Swaps of two pupils.

    def _swap_changes(self, first: int, second: int) -> list[IntArray]:
        """Per part, the change for every (pupil of first, pupil of second) swap."""
        rows, columns = self.members[first], self.members[second]
        changes = []
        for part, norms, sums in zip(self.layout.parts, self.norms, self.layout.sums, strict=True):
            gap = sums[first] - sums[second]
            row_values, column_values = part[rows], part[columns]
            leaving = norms[rows] - row_values @ gap
            joining = norms[columns] + column_values @ gap
            overlap = row_values @ column_values.T
            changes.append(2 * (leaving[:, None] + joining[None, :]) - 4 * overlap)
        return changes

    def _allowed(self, first: int, second: int) -> BoolArray:
        """Which swaps keep every must-separate pupil apart."""
        rows, columns = self.members[first], self.members[second]
        allowed = np.ones((len(rows), len(columns)), dtype=np.bool_)
        for pupil in rows[self.has_conflicts[rows]]:
            self._restrict(allowed[self.position[pupil]], int(pupil), second)
        for pupil in columns[self.has_conflicts[columns]]:
            self._restrict(allowed[:, self.position[pupil]], int(pupil), first)
        return allowed

    def _restrict(self, line: BoolArray, pupil: int, destination: int) -> None:
        partners = [p for p in self.conflicts[pupil] if self.layout.class_of[p] == destination]
        if not partners:
            return
        keep: int | None = None
        if len(partners) == 1:
            spot = int(self.position[partners[0]])
            if self.members[destination][spot] == partners[0] and line[spot]:
                keep = spot  # trading places with the partner keeps the two apart
        line[:] = False
        if keep is not None:
            line[keep] = True

    def _improve(self, first: int, second: int) -> bool:
        if len(self.members[first]) == 0 or len(self.members[second]) == 0:
            return False
        chosen = self._allowed(first, second)
        improving = False
        for change in self._swap_changes(first, second):
            if not chosen.any():
                return False
            best = int(change[chosen].min())
            if best > 0 and not improving:
                return False
            improving = improving or best < 0
            chosen &= change == best
        if not improving:
            return False
        row, column = divmod(int(np.flatnonzero(chosen)[0]), chosen.shape[1])
        self._apply(first, second, row, column)
        return True

    def _apply(self, first: int, second: int, row: int, column: int) -> None:
        leaving = int(self.members[first][row])
        joining = int(self.members[second][column])
        self.layout.swap(leaving, joining)
        self.members[first][row] = joining
        self.members[second][column] = leaving
        self.position[joining], self.position[leaving] = row, column

    # Repairs: rotations of three pupils a→b→c→a and exchanges of two pupils for two,
    # for counts that single swaps cannot even out (usually because of requests).

    def _extreme_classes(self) -> list[tuple[int, int]]:
        """Pairs (class with the most, class with the fewest) of each uneven count."""
        pairs: set[tuple[int, int]] = set()
        for sums in self.layout.sums[:2]:
            for values in sums.T:
                if values.max() - values.min() > 1:
                    highs = np.flatnonzero(values == values.max())
                    lows = np.flatnonzero(values == values.min())
                    pairs.update((int(high), int(lows[0])) for high in highs)
                    pairs.update((int(highs[0]), int(low)) for low in lows)
        return sorted(pairs)

    def _repair_sources(self) -> list[tuple[int, ...]]:
        """Classes the movers come from: (a, a, b, b) exchanges two for two, (a, b, c) rotates."""
        sources: set[tuple[int, ...]] = set()
        for high, low in self._extreme_classes():
            sources.add((high, high, low, low))
            for other in range(self.layout.class_count):
                if other not in (high, low):
                    sources.add((high, low, other))
                    sources.add((high, other, low))
        return sorted(sources)

    def _repair_changes(
        self, sources: tuple[int, ...], available: IntArray
    ) -> tuple[IntArray, IntArray, IntArray]:
        """For every choice of mover kinds: (kinds, sex change, special-needs change)."""
        layout = self.layout
        kinds = _KIND_CHOICES[len(sources)]
        destinations = _destinations(sources)
        usable = np.ones(len(kinds), dtype=np.bool_)
        for source in sorted(set(sources)):
            wanted = _KIND_ONE_HOT[kinds[:, [n for n, c in enumerate(sources) if c == source]]]
            usable &= (wanted.sum(axis=1) <= available[source]).all(axis=1)
        changes = []
        for sums, total, kind_values in zip(
            layout.sums[:2], layout.totals[:2], (_KIND_SEX, _KIND_SPECIAL), strict=True
        ):
            moved = layout.class_count * kind_values[kinds]  # (choices, movers, width)
            change = np.zeros(len(kinds), dtype=np.int64)
            for touched in sorted(set(sources)):
                gap = layout.class_count * sums[touched] - total
                after = np.broadcast_to(gap, (len(kinds), len(gap))).copy()
                for mover, (source, target) in enumerate(zip(sources, destinations, strict=True)):
                    if source == touched:
                        after -= moved[:, mover]
                    if target == touched:
                        after += moved[:, mover]
                change += (after * after).sum(axis=1) - int(gap @ gap)
            changes.append(change)
        sex, special = changes
        lowers = usable & ((sex < 0) | ((sex == 0) & (special < 0)))
        return kinds[lowers], sex[lowers], special[lowers]

    def _repair(self) -> bool:
        """Make the best count-lowering repair, if there is one."""
        available = np.stack(
            [np.bincount(self.kinds[members], minlength=4) for members in self.members]
        )
        options: list[tuple[tuple[int, int], tuple[int, ...], tuple[int, ...]]] = []
        for sources in self._repair_sources():
            kinds, sex, special = self._repair_changes(sources, available)
            options.extend(
                ((int(a), int(b)), sources, tuple(int(k) for k in choice))
                for a, b, choice in zip(sex, special, kinds, strict=True)
            )
        for _, sources, choice in sorted(options)[:_REPAIR_OPTIONS]:
            movers = self._repair_pupils(sources, choice)
            if movers is not None:
                self._apply_repair(sources, movers)
                return True
        return False

    def _repair_pupils(
        self, sources: tuple[int, ...], kinds: tuple[int, ...]
    ) -> tuple[int, ...] | None:
        pools = [
            [int(p) for p in self.members[c][self.kinds[self.members[c]] == kind]]
            for c, kind in zip(sources, kinds, strict=True)
        ]
        destinations = _destinations(sources)
        for movers in itertools.islice(itertools.product(*pools), _REPAIR_TRIALS):
            if len(set(movers)) == len(movers) and self._keeps_apart(movers, destinations):
                return movers
        return None

    def _keeps_apart(self, movers: tuple[int, ...], destinations: tuple[int, ...]) -> bool:
        final = dict(zip(movers, destinations, strict=True))
        class_of = self.layout.class_of
        return all(
            final.get(other, int(class_of[other])) != final[pupil]
            for pupil in movers
            for other in self.conflicts[pupil]
        )

    def _apply_repair(self, sources: tuple[int, ...], movers: tuple[int, ...]) -> None:
        if len(movers) == 4:
            first, second = sources[0], sources[2]
            for leaving, joining in ((movers[0], movers[2]), (movers[1], movers[3])):
                self._apply(first, second, int(self.position[leaving]), int(self.position[joining]))
            return
        first, second, third = sources
        i, j, k = movers
        self._apply(first, second, int(self.position[i]), int(self.position[j]))  # i to b
        self._apply(first, third, int(self.position[j]), int(self.position[k]))  # j to c, k to a
