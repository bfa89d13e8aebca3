"""Pupil lists for the tests, generated from hypothesis or from a seeded stream."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hypothesis import strategies as st

from sunshine.engine.classes import Placement, Pupil
from sunshine.engine.lottery import RandomStream


@st.composite
def pupils(
    draw: st.DrawFn,
    max_pupils: int = 40,
    twins: bool = True,
    subjects: Sequence[str] = ("math", "chinese"),
) -> list[Pupil]:
    count = draw(st.integers(0, max_pupils))
    result: list[Pupil] = []
    group = 0
    while len(result) < count:
        size = draw(st.sampled_from([1, 1, 1, 1, 2, 3])) if twins else 1
        together = draw(st.booleans())
        month = draw(st.integers(2018 * 12, 2018 * 12 + 11))
        name = f"T{group}" if size > 1 else None
        group += 1
        for _ in range(min(size, count - len(result))):
            scores = {
                subject: draw(st.integers(0, 1000)) / 10
                for subject in subjects
                if draw(st.integers(0, 4)) > 0  # some pupils lack a score
            }
            result.append(
                Pupil(
                    pupil_id=f"P{len(result):03d}",
                    sex=draw(st.sampled_from(["M", "F"])),
                    birth_month=month,
                    scores=scores,
                    special_needs=draw(st.integers(0, 9)) == 0,
                    twin_group=name,
                    twins_together=together,
                )
            )
    return result


def school(size: int, seed: bytes, subjects: Sequence[str] = ()) -> list[Pupil]:
    """A realistic grade: about half boys, births over one year, a few special needs."""
    stream = RandomStream(seed, personalization=b"test-school")
    return [
        Pupil(
            pupil_id=f"S{index:05d}",
            sex="M" if stream.randbelow(100) < 52 else "F",
            birth_month=2018 * 12 + 8 + stream.randbelow(12),
            scores={subject: 40 + stream.randbelow(601) / 10 for subject in subjects},
            special_needs=stream.randbelow(50) == 0,
        )
        for index in range(size)
    ]


def spread(values: Sequence[int]) -> int:
    return max(values) - min(values)


def boys_per_class(placement: Placement, by_id: dict[str, Pupil]) -> list[int]:
    return [sum(by_id[p].sex == "M" for p in members) for members in placement.classes]


def partition(placement: Placement) -> frozenset[frozenset[str]]:
    """Class lists without their order: what a different seed must change."""
    return frozenset(frozenset(members) for members in placement.classes)


def placed_once(placement: Placement) -> Counter[str]:
    return Counter(p for members in placement.classes for p in members)
