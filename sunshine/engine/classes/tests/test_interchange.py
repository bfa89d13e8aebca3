"""The published files carry everything needed to recompute a placement."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings

from sunshine.engine.classes import (
    PlacementError,
    PlacementRequest,
    Pupil,
    classes_to_csv,
    pairs_from_csv,
    pairs_to_csv,
    place_pupils,
    pupils_from_csv,
    pupils_to_csv,
)
from sunshine.engine.classes.tests.builders import pupils, school


@settings(max_examples=60, deadline=None)
@given(pupils(max_pupils=30))
def test_pupils_survive_the_published_file_unchanged(group: list[Pupil]) -> None:
    assert pupils_from_csv(pupils_to_csv(group)) == sorted(group, key=lambda p: p.pupil_id)


def test_an_observer_recomputes_the_classes_from_the_published_files() -> None:
    group = school(150, b"published", subjects=("math", "chinese"))
    pairs = [("S00004", "S00007"), ("S00100", "S00011")]
    seed = bytes.fromhex("9f" * 32)
    placement = place_pupils(
        PlacementRequest(pupils=group, seed=seed, class_count=4, must_separate=pairs)
    )
    published = (pupils_to_csv(group), pairs_to_csv(pairs), classes_to_csv(placement))

    recomputed = place_pupils(
        PlacementRequest(
            pupils=pupils_from_csv(published[0]),
            seed=seed,
            class_count=4,
            must_separate=pairs_from_csv(published[1]),
        )
    )
    assert classes_to_csv(recomputed) == published[2]
    rows = list(csv.DictReader(io.StringIO(published[2])))
    assert len(rows) == len(group)
    assert {row["class"] for row in rows} == {"1", "2", "3", "4"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pupil_id,sex\nA,M\n", "lacks the columns"),
        (
            "pupil_id,sex,birth_month,special_needs,twin_group,twins_together\nA,X,1,0,,1\n",
            "line 2: sex",
        ),
        (
            "pupil_id,sex,birth_month,special_needs,twin_group,twins_together\nA,M,1,2,,1\n",
            "line 2: special_needs",
        ),
        (
            "pupil_id,sex,birth_month,special_needs,twin_group,twins_together\nA,M,x,0,,1\n",
            "line 2",
        ),
    ],
)
def test_malformed_pupil_files_are_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(PlacementError, match=message):
        pupils_from_csv(text)
