"""The head-teacher draw: one teacher per class, recomputable from the public lottery."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.classes import TeacherDrawError, draw_teachers
from sunshine.engine.lottery import draw

SEED = bytes(range(32))
codes = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(codes, min_size=1, max_size=30, unique=True), st.binary(min_size=1, max_size=32))
def test_each_class_gets_one_teacher_and_each_teacher_one_class(
    teachers: list[str], seed: bytes
) -> None:
    classes = [f"{n + 1}班" for n in range(len(teachers))]
    result = draw_teachers(classes, teachers, seed)
    assert set(result.teacher_of) == set(classes)
    assert sorted(result.teacher_of.values()) == sorted(teachers)


def test_an_observer_recomputes_the_draw_from_the_published_lists_and_seed() -> None:
    classes = ["七(1)班", "七(2)班", "七(3)班", "七(4)班", "七(5)班"]
    teachers = ["T-Wang", "T-Li", "T-Zhang", "T-Liu", "T-Chen"]
    result = draw_teachers(classes, teachers, SEED)
    # The published record: both lists in order, the seed, and the lottery's draw.
    lottery = draw(teachers, SEED)
    for position, class_id in enumerate(classes):
        assert result.teacher_of[class_id] == lottery.order[position]
        assert lottery.numbers[result.teacher_of[class_id]] == position + 1
    assert result.drawn_order == lottery.order
    assert result.teacher_ids == tuple(teachers)
    assert result.class_ids == tuple(classes)
    canonical = "".join(t + "\n" for t in teachers).encode("utf-8")
    assert result.entry_list_sha256 == hashlib.sha256(canonical).hexdigest()
    assert draw_teachers(classes, teachers, SEED) == result


def test_the_seed_decides_the_draw() -> None:
    classes = [f"{n}班" for n in range(1, 11)]
    teachers = [f"T{n:02d}" for n in range(10)]
    outcomes = {tuple(draw_teachers(classes, teachers, bytes([n])).drawn_order) for n in range(6)}
    assert len(outcomes) == 6


@pytest.mark.parametrize(
    ("classes", "teachers", "message"),
    [
        (["1班", "2班"], ["T1"], "2 classes but 1 teachers"),
        (["1班"], ["T1", "T2"], "1 classes but 2 teachers"),
        ([], [], "no classes"),
        (["1班", "1班"], ["T1", "T2"], "class list: duplicate"),
        (["1班", "2班"], ["T1", "T1"], "teacher list: duplicate"),
        (["1班"], [""], "teacher list: entry 1 is empty"),
    ],
)
def test_lists_that_cannot_be_drawn_are_refused(
    classes: list[str], teachers: list[str], message: str
) -> None:
    with pytest.raises(TeacherDrawError, match=message):
        draw_teachers(classes, teachers, SEED)
