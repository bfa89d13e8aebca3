"""First placement: requested groups by backtracking, then every other pupil by greedy deal."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sunshine.engine.classes.layout import IntArray, Layout
from sunshine.engine.classes.model import PlacementError

# Enough for any real school; a request that needs more is contradictory in practice.
SEARCH_NODE_LIMIT = 200_000


def ranked_classes(layout: Layout, members: Sequence[int], class_rank: IntArray) -> list[int]:
    """Classes that can take ``members``, best first; ties go by the seeded class rank."""
    sex_key, special_key, balance_key = layout.placement_keys(members)
    order = np.lexsort((class_rank, balance_key, special_key, sex_key))
    fits = layout.fits(len(members))
    return [int(c) for c in order if fits[c]]


def _candidates(
    layout: Layout,
    unit: Sequence[int],
    conflicts: Sequence[frozenset[int]],
    class_rank: IntArray,
) -> list[int]:
    blocked = {
        int(layout.class_of[other])
        for member in unit
        for other in conflicts[member]
        if layout.class_of[other] >= 0
    }
    candidates: list[int] = []
    tried_empty = False
    for target in ranked_classes(layout, unit, class_rank):
        if target in blocked:
            continue
        if layout.sizes[target] == 0:
            if tried_empty:
                continue  # empty classes are interchangeable: trying one is enough
            tried_empty = True
        candidates.append(target)
    return candidates


def place_constrained(
    layout: Layout,
    units: Sequence[Sequence[int]],
    conflicts: Sequence[frozenset[int]],
    class_rank: IntArray,
) -> None:
    """Place every unit so no two conflicting pupils share a class, backtracking as needed."""
    pending: list[list[int]] = []
    placed_in: list[int] = []
    depth = 0
    nodes = 0
    while depth < len(units):
        if len(pending) == depth:
            pending.append(_candidates(layout, units[depth], conflicts, class_rank))
        else:
            layout.remove(units[depth], placed_in.pop())
        if not pending[depth]:
            pending.pop()
            depth -= 1
            if depth < 0:
                raise PlacementError(
                    "no placement keeps every twin and must-separate request with class sizes "
                    "differing by at most one; check the requests or the number of classes"
                )
            continue
        nodes += 1
        if nodes > SEARCH_NODE_LIMIT:
            raise PlacementError(
                "the twin and must-separate requests are too entangled to place "
                f"(searched {SEARCH_NODE_LIMIT} partial placements); check the requests"
            )
        target = pending[depth].pop(0)
        layout.add(units[depth], target)
        placed_in.append(target)
        depth += 1


def deal_free(layout: Layout, pupils: Sequence[int], class_rank: IntArray) -> None:
    """Give each pupil, in order, the class where they best even out counts and balance."""
    for pupil in pupils:
        layout.add([pupil], ranked_classes(layout, [pupil], class_rank)[0])
