"""Properties of the class placement that schools and families rely on."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.engine.classes import (
    ALGORITHM,
    Placement,
    PlacementError,
    PlacementRequest,
    Pupil,
    place_pupils,
)
from sunshine.engine.classes.tests.builders import (
    FIRST_MONTH,
    partition,
    per_class,
    placed_once,
    pupils,
    school,
    separations,
    spread,
    twin_groups_of,
)

SEED = b"\x01" * 32


def _assert_requests_kept(placement: Placement, request: PlacementRequest) -> None:
    class_of = placement.class_of()
    for members in twin_groups_of(request.pupils).values():
        classes = [class_of[m.pupil_id] for m in members]
        expected = 1 if members[0].twins_together else len(members)
        assert len(set(classes)) == expected
    for first, second in request.must_separate:
        assert class_of[first] != class_of[second]


@st.composite
def requests(draw: st.DrawFn, max_pupils: int = 40) -> PlacementRequest:
    group = draw(pupils(max_pupils=max_pupils))
    by_count = draw(st.booleans())
    number = draw(st.integers(1, 12))
    return PlacementRequest(
        pupils=group,
        seed=draw(st.binary(min_size=1, max_size=8)),
        class_count=number if by_count else None,
        class_size=None if by_count else number,
        must_separate=draw(separations(group)),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_pupil_placed_once_in_classes_of_near_equal_size(request: PlacementRequest) -> None:
    try:
        placement = place_pupils(request)
    except PlacementError:
        return  # refusals are checked against brute force below
    assert placed_once(placement) == {p.pupil_id: 1 for p in request.pupils}
    sizes = [len(members) for members in placement.classes]
    if request.class_count is not None:
        assert len(sizes) == request.class_count
    else:
        assert request.class_size is not None
        assert len(sizes) == max(1, -(-len(request.pupils) // request.class_size))
        assert max(sizes) <= request.class_size
    assert spread(sizes) <= 1
    _assert_requests_kept(placement, request)


def _feasible(request: PlacementRequest, classes: int) -> bool:
    """Whether any assignment keeps sizes within one and every request (by brute force)."""
    group = list(request.pupils)
    index = {p.pupil_id: i for i, p in enumerate(group)}
    twins = [
        ([index[m.pupil_id] for m in members], members[0].twins_together)
        for members in twin_groups_of(group).values()
    ]
    separate = [(index[a], index[b]) for a, b in request.must_separate]
    for assignment in itertools.product(range(classes), repeat=len(group)):
        sizes = [assignment.count(c) for c in range(classes)]
        if spread(sizes) > 1 or any(assignment[a] == assignment[b] for a, b in separate):
            continue
        if all(
            len({assignment[m] for m in members}) == (1 if together else len(members))
            for members, together in twins
        ):
            return True
    return False


@settings(max_examples=150, deadline=None)
@given(requests(max_pupils=7), st.integers(1, 3))
def test_refuses_exactly_the_requests_no_placement_can_keep(
    request: PlacementRequest, classes: int
) -> None:
    request = PlacementRequest(
        pupils=request.pupils, seed=SEED, class_count=classes, must_separate=request.must_separate
    )
    if _feasible(request, classes):
        _assert_requests_kept(place_pupils(request), request)
    else:
        with pytest.raises(PlacementError):
            place_pupils(request)


@settings(max_examples=60, deadline=None)
@given(pupils(max_pupils=150, twin_groups=0), st.integers(1, 12), st.binary(min_size=1))
def test_boys_girls_and_special_needs_differ_by_at_most_one_without_requests(
    group: list[Pupil], classes: int, seed: bytes
) -> None:
    request = PlacementRequest(pupils=group, seed=seed, class_count=classes)
    placement = place_pupils(request)
    for what in ("M", "F", "special"):
        assert spread(per_class(placement, request, what)) <= 1


@st.composite
def school_with_requests(draw: st.DrawFn) -> PlacementRequest:
    """At least ten pupils a class, a few twins asked apart and a few must-separate pairs."""
    classes = draw(st.integers(3, 8))
    group = draw(pupils(min_pupils=10 * classes, max_pupils=25 * classes, twin_groups=3))
    group = [replace(pupil, twins_together=False) for pupil in group]
    singles = [pupil.pupil_id for pupil in group if pupil.twin_group is None]
    chosen = draw(st.lists(st.sampled_from(singles), max_size=8, unique=True))
    return PlacementRequest(
        pupils=group,
        seed=draw(st.binary(min_size=1, max_size=8)),
        class_count=classes,
        must_separate=list(zip(chosen[::2], chosen[1::2], strict=False)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(school_with_requests())
def test_counts_stay_balanced_with_a_few_requests(request: PlacementRequest) -> None:
    placement = place_pupils(request)
    _assert_requests_kept(placement, request)
    for what in ("M", "F", "special"):
        assert spread(per_class(placement, request, what)) <= 1


def test_requests_that_single_swaps_cannot_untangle_still_leave_boys_balanced() -> None:
    # Six boys and one girl in classes of 3, 2 and 2. Balance needs the boy twins with the
    # girl in the class of three ({P005, P006, P003}); the other boys then pair up across
    # the separations, e.g. {P000, P002} and {P001, P004}: two boys in every class.
    boys = ["P000", "P001", "P002", "P004"]
    group = [Pupil(p, "M", FIRST_MONTH, special_needs=True) for p in boys]
    group += [Pupil("P003", "F", FIRST_MONTH, special_needs=True)]
    group += [Pupil(p, "M", FIRST_MONTH, twin_group="T5") for p in ("P005", "P006")]
    for seed in (b"\x00", b"\x01", b"\x02", b"\x03"):
        request = PlacementRequest(
            pupils=group,
            seed=seed,
            class_count=3,
            must_separate=[("P000", "P001"), ("P002", "P003")],
        )
        placement = place_pupils(request)
        _assert_requests_kept(placement, request)
        assert per_class(placement, request, "M") == [2, 2, 2]


def test_a_large_school_with_twins_and_separations_is_balanced_on_every_count() -> None:
    group = school(900, b"large", subjects=("chinese", "math", "english"), twins_every=30)
    pairs = [(f"S{n:05d}", f"S{n + 450:05d}") for n in range(1, 400, 40)]
    request = PlacementRequest(pupils=group, seed=SEED, class_count=20, must_separate=pairs)
    placement = place_pupils(request)
    _assert_requests_kept(placement, request)
    assert len(twin_groups_of(group)) == 29
    for what in ("M", "F", "special"):
        assert spread(per_class(placement, request, what)) <= 1
    quality = placement.quality
    # A random split of 45 pupils gives class means about 0.5 months and 2.5 points apart
    # (standard deviation / sqrt(class size)); balancing must do far better than that.
    assert quality.birth_month_mean_spread < 0.3
    assert set(quality.score_mean_spread) == {"chinese", "math", "english"}
    assert all(spread < 0.5 for spread in quality.score_mean_spread.values())


def test_same_request_gives_the_same_classes_whatever_the_input_order() -> None:
    group = school(200, b"order", subjects=("math",))
    pairs = [("S00001", "S00002"), ("S00010", "S00003")]
    request = PlacementRequest(pupils=group, seed=SEED, class_count=6, must_separate=pairs)
    reordered = PlacementRequest(
        pupils=list(reversed(group)),
        seed=SEED,
        class_count=6,
        must_separate=[(b, a) for a, b in reversed(pairs)],
    )
    first = place_pupils(request)
    assert place_pupils(request) == first
    assert place_pupils(reordered).classes == first.classes
    assert first.seed == SEED
    assert first.algorithm == ALGORITHM


def test_different_seeds_give_different_classes() -> None:
    group = school(120, b"seeds")
    placements = [
        place_pupils(PlacementRequest(pupils=group, seed=bytes([n]), class_count=4))
        for n in range(8)
    ]
    assert len({partition(p) for p in placements}) == len(placements)


def test_class_size_sets_the_number_of_classes() -> None:
    request = PlacementRequest(pupils=school(10, b"size"), seed=SEED, class_size=4)
    assert sorted(len(members) for members in place_pupils(request).classes) == [3, 3, 4]


def _twins(names: Sequence[str], together: bool) -> list[Pupil]:
    return [Pupil(n, "F", FIRST_MONTH, twin_group="T", twins_together=together) for n in names]


@pytest.mark.parametrize(
    ("group", "options", "message"),
    [
        (school(4, b"e"), {"class_count": 1, "must_separate": [("S00000", "S00001")]}, "no pla"),
        (
            school(6, b"e"),
            {
                "class_count": 2,
                "must_separate": [("S00000", "S00001"), ("S00001", "S00002"), ("S00000", "S00002")],
            },
            "no placement",
        ),
        (_twins(["A", "B", "C"], True) + school(3, b"e"), {"class_size": 2}, "more than 2"),
        (_twins(["A", "B", "C"], False), {"class_count": 2}, "apart with only 2 classes"),
        (_twins(["A", "B"], True), {"class_count": 2, "must_separate": [("A", "B")]}, "together"),
        (
            [*_twins(["A"], True), *_twins(["B"], False)],
            {"class_count": 1},
            "both together and apart",
        ),
        (school(3, b"e"), {"class_count": 1, "must_separate": [("S00000", "X")]}, "unknown"),
        (school(3, b"e"), {"class_count": 1, "must_separate": [("S00000", "S00000")]}, "themself"),
        (school(3, b"e"), {"class_count": 1, "class_size": 3}, "exactly one"),
        (school(3, b"e"), {}, "exactly one"),
        (school(3, b"e"), {"class_size": 0}, "at least 1"),
        (school(2, b"e") * 2, {"class_count": 1}, "appears twice"),
    ],
)
def test_impossible_or_malformed_requests_are_refused_with_a_reason(
    group: list[Pupil], options: dict[str, object], message: str
) -> None:
    with pytest.raises(PlacementError, match=message):
        place_pupils(PlacementRequest(pupils=group, seed=SEED, **options))  # type: ignore[arg-type]
