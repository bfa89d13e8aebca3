"""The quality figures a school publishes with its class lists."""

from __future__ import annotations

import pytest

from sunshine.engine.classes import Pupil, birth_month_index, measure_quality


def test_figures_are_largest_minus_smallest_over_classes() -> None:
    may, june, july = (birth_month_index(2018, m) for m in (5, 6, 7))
    pupils = {
        "a": Pupil("a", "M", may, {"math": 90.0, "art": 70.0}, special_needs=True),
        "b": Pupil("b", "M", july, {"math": 80.0}),
        "c": Pupil("c", "F", june, {"math": 60.0, "art": 75.0}),
        "d": Pupil("d", "M", june, {"math": 70.0}),
        "e": Pupil("e", "F", may, {}),
    }
    quality = measure_quality([["a", "b", "c"], ["d", "e"]], pupils)
    assert quality.class_count == 2
    assert quality.max_size_difference == 1  # 3 and 2 pupils
    assert quality.max_boys_difference == 1  # 2 boys and 1
    assert quality.max_girls_difference == 0  # one girl each
    # Mean birth months: (May + July + June) / 3 = June against (June + May) / 2 = May.5.
    assert quality.birth_month_mean_spread == pytest.approx(0.5)
    # Math means 76.67 and 70; art is averaged over the pupils who took it: 72.5 alone.
    assert quality.score_mean_spread["math"] == pytest.approx(230 / 3 - 70)
    assert quality.score_mean_spread["art"] == 0.0
    assert quality.special_needs_per_class == (0, 1)


def test_birth_month_index_counts_months_continuously() -> None:
    assert birth_month_index(2019, 1) - birth_month_index(2018, 12) == 1
    assert birth_month_index(2018, 9) - birth_month_index(2017, 9) == 12
    with pytest.raises(ValueError):
        birth_month_index(2018, 13)
