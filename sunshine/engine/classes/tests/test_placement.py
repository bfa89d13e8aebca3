"""Properties of the class placement that schools and families rely on."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.engine.classes import (
    Placement,
    PlacementError,
    PlacementRequest,
    Pupil,
    place_pupils,
)
from sunshine.engine.classes.tests.builders import (
    boys_per_class,
    placed_once,
    pupils,
    spread,
)

SEED = b"\x01" * 32


def _twin_groups(group: Sequence[Pupil]) -> dict[str, list[Pupil]]:
    groups: dict[str, list[Pupil]] = {}
    for pupil in group:
        if pupil.twin_group is not None:
            groups.setdefault(pupil.twin_group, []).append(pupil)
    return {name: members for name, members in groups.items() if len(members) > 1}


def _assert_requests_kept(
    placement: Placement, group: Sequence[Pupil], separate: Sequence[tuple[str, str]]
) -> None:
    class_of = placement.class_of()
    for members in _twin_groups(group).values():
        classes = [class_of[m.pupil_id] for m in members]
        if members[0].twins_together:
            assert len(set(classes)) == 1
        else:
            assert len(set(classes)) == len(classes)
    for first, second in separate:
        assert class_of[first] != class_of[second]


@st.composite
def requests(draw: st.DrawFn, max_pupils: int = 40) -> PlacementRequest:
    group = draw(pupils(max_pupils=max_pupils))
    ids = [p.pupil_id for p in group]
    separate: list[tuple[str, str]] = []
    if len(ids) >= 2:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(
            lambda pair: pair[0] != pair[1]
        )
        separate = draw(st.lists(pairs, max_size=4))
    by_count = draw(st.booleans())
    size = draw(st.integers(1, 12))
    return PlacementRequest(
        pupils=group,
        seed=draw(st.binary(min_size=1, max_size=8)),
        class_count=size if by_count else None,
        class_size=None if by_count else size,
        must_separate=separate,
    )


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_pupil_placed_once_in_classes_of_near_equal_size(request: PlacementRequest) -> None:
    try:
        placement = place_pupils(request)
    except PlacementError:
        return  # whether refusing was right is checked against brute force below
    assert placed_once(placement) == {p.pupil_id: 1 for p in request.pupils}
    sizes = [len(members) for members in placement.classes]
    if request.class_count is not None:
        assert len(sizes) == request.class_count
    else:
        assert request.class_size is not None
        assert max(sizes, default=0) <= request.class_size
        assert len(sizes) == max(1, -(-len(request.pupils) // request.class_size))
    assert spread(sizes) <= 1
    assert placement.quality.max_size_difference == spread(sizes)
    _assert_requests_kept(placement, request.pupils, request.must_separate)


def _feasible_assignments(request: PlacementRequest, classes: int) -> list[tuple[int, ...]]:
    group = list(request.pupils)
    index = {p.pupil_id: i for i, p in enumerate(group)}
    twins = _twin_groups(group).values()
    feasible = []
    for assignment in itertools.product(range(classes), repeat=len(group)):
        sizes = [assignment.count(c) for c in range(classes)]
        if spread(sizes) > 1:
            continue
        if any(assignment[index[a]] == assignment[index[b]] for a, b in request.must_separate):
            continue
        ok = True
        for members in twins:
            used = {assignment[index[m.pupil_id]] for m in members}
            ok = ok and len(used) == (1 if members[0].twins_together else len(members))
        if ok:
            feasible.append(assignment)
    return feasible


@st.composite
def tiny_requests(draw: st.DrawFn) -> PlacementRequest:
    request = draw(requests(max_pupils=7))
    return PlacementRequest(
        pupils=request.pupils,
        seed=request.seed,
        class_count=draw(st.integers(1, 3)),
        must_separate=request.must_separate,
    )


@settings(max_examples=3000, deadline=None)
@given(tiny_requests())
def test_refuses_only_impossible_requests_and_balances_boys_whenever_possible(
    request: PlacementRequest,
) -> None:
    assert request.class_count is not None
    feasible = _feasible_assignments(request, request.class_count)
    if not feasible:
        with pytest.raises(PlacementError):
            place_pupils(request)
        return
    placement = place_pupils(request)
    by_id = {p.pupil_id: p for p in request.pupils}
    best_boys = min(
        spread(
            [
                sum(
                    by_id[p.pupil_id].sex == "M" and a[i] == c for i, p in enumerate(request.pupils)
                )
                for c in range(request.class_count)
            ]
        )
        for a in feasible
    )
    if best_boys <= 1:
        assert spread(boys_per_class(placement, by_id)) <= 1
