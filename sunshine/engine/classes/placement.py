"""One-click class placement (一键分班): balanced classes from a recorded seed.

1. Pupils are put in ID order, so the input order never matters.
2. A seeded stream (``RandomStream(seed, personalization=ALGORITHM)``) shuffles the
   pupils and the classes once; those ranks break every tie below.
3. Twins asked together form one unit; twins asked apart and must-separate pairs are
   conflicts. Units with a conflict or more than one pupil are placed first, largest
   and most entangled first, each in the best class that keeps the size rule and its
   conflicts apart, backtracking when stuck.
4. Every other pupil is dealt in turn, special-needs pupils first and then the pupils
   furthest from the school's average first, to the class where it most lowers the
   objective (see ``Layout``), among classes still below their size.
5. Class pairs are swept in seeded order, and in each pair the best swap of two
   movable pupils is made while it lowers the objective, until a sweep makes none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sunshine.engine.classes.construction import deal_free, place_constrained
from sunshine.engine.classes.features import build_features
from sunshine.engine.classes.layout import IntArray, Layout
from sunshine.engine.classes.model import (
    ALGORITHM,
    Placement,
    PlacementError,
    PlacementRequest,
    Pupil,
)
from sunshine.engine.classes.quality import measure_quality
from sunshine.engine.classes.search import SwapSearch
from sunshine.engine.classes.validation import (
    class_count,
    separation_pairs,
    sorted_pupils,
    twin_groups,
)
from sunshine.engine.lottery import RandomStream


def _units_and_conflicts(
    pupils: Sequence[Pupil], pairs: Sequence[tuple[str, str]], classes: int, largest: int
) -> tuple[list[list[int]], list[frozenset[int]]]:
    index = {pupil.pupil_id: i for i, pupil in enumerate(pupils)}
    conflicts: list[set[int]] = [set() for _ in pupils]
    units: list[list[int]] = []
    grouped: set[int] = set()
    for name, members in sorted(twin_groups(pupils).items()):
        ids = [index[member.pupil_id] for member in members]
        if members[0].twins_together:
            if len(ids) > largest:
                raise PlacementError(
                    f"twin group {name!r} has {len(ids)} pupils together, "
                    f"but no class may have more than {largest}"
                )
            units.append(ids)
            grouped.update(ids)
        elif len(ids) > classes:
            raise PlacementError(
                f"twin group {name!r} asks {len(ids)} pupils apart with only {classes} classes"
            )
        else:
            for pupil in ids:
                conflicts[pupil].update(other for other in ids if other != pupil)
    for first, second in pairs:
        conflicts[index[first]].add(index[second])
        conflicts[index[second]].add(index[first])
    unit_of = {member: tuple(unit) for unit in units for member in unit}
    for pupil, others in enumerate(conflicts):
        for other in others:
            if pupil in unit_of and other in unit_of[pupil]:
                raise PlacementError(
                    f"pupils {pupils[pupil].pupil_id} and {pupils[other].pupil_id} must be "
                    "separated but their family asked for them to be together"
                )
    singles = [[pupil] for pupil, others in enumerate(conflicts) if others and pupil not in grouped]
    return units + singles, [frozenset(others) for others in conflicts]


def _rank(order: Sequence[int]) -> IntArray:
    """Position of each index in ``order`` (a seeded shuffle): the tie-break rank."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    return rank


def _first_placement(
    layout: Layout,
    pupils: Sequence[Pupil],
    units: list[list[int]],
    conflicts: Sequence[frozenset[int]],
    stream: RandomStream,
) -> None:
    pupil_rank = _rank(stream.shuffle(range(len(pupils))))
    class_rank = _rank(stream.shuffle(range(layout.class_count)))
    units.sort(key=lambda u: (-len(u), -sum(len(conflicts[m]) for m in u), int(pupil_rank[u[0]])))
    place_constrained(layout, units, conflicts, class_rank)

    # Scarce and extreme pupils first, while every class still has room to even them out.
    balance = layout.parts[2]
    distance = (balance * balance).sum(axis=1)
    free = [i for i in range(len(pupils)) if layout.class_of[i] < 0]
    free.sort(key=lambda i: (not pupils[i].special_needs, -int(distance[i]), int(pupil_rank[i])))
    deal_free(layout, free, class_rank)


def place_pupils(request: PlacementRequest) -> Placement:
    """Place the request's pupils into balanced classes; the same request gives the same result.

    Raises ``PlacementError`` when the request is malformed or its twin and must-separate
    requests cannot all be kept with class sizes differing by at most one.
    """
    if not isinstance(request.seed, bytes) or not request.seed:
        raise PlacementError("the seed must be non-empty bytes, as recorded for the placement")
    pupils = sorted_pupils(request.pupils)
    classes = class_count(request, len(pupils))
    largest = -(-len(pupils) // classes)
    pairs = separation_pairs(request.must_separate, {p.pupil_id for p in pupils})
    units, conflicts = _units_and_conflicts(pupils, pairs, classes, largest)
    layout = Layout(build_features(pupils, largest), classes)

    stream = RandomStream(request.seed, personalization=ALGORITHM.encode("ascii"))
    _first_placement(layout, pupils, units, conflicts, stream)
    movable = np.ones(len(pupils), dtype=np.bool_)
    for unit in units:
        if len(unit) > 1:
            movable[unit] = False
    SwapSearch(layout, movable, conflicts).run(stream)

    class_lists = tuple(
        tuple(pupils[i].pupil_id for i in np.flatnonzero(layout.class_of == c))
        for c in range(classes)
    )
    by_id = {pupil.pupil_id: pupil for pupil in pupils}
    return Placement(
        classes=class_lists, quality=measure_quality(class_lists, by_id), seed=request.seed
    )
