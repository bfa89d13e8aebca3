"""The draw: frozen entry list, its hash, the seed rule, the permutation."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.lottery import (
    ALGORITHM,
    RandomStream,
    canonical_entry_list,
    derive_seed,
    draw,
    entry_list_hash,
    freeze_entries,
)

codes = st.lists(
    st.text(
        alphabet=st.characters(
            min_codepoint=0x21, max_codepoint=0x4E00, exclude_categories=("Cc", "Cs")
        ),
        min_size=1,
    ),
    unique=True,
    max_size=40,
)


def test_canonical_entry_list_is_utf8_lines_in_published_order() -> None:
    assert canonical_entry_list(["B002", "张三01"]) == "B002\n张三01\n".encode()


def test_entry_list_hash_is_sha256_of_the_canonical_form() -> None:
    expected = hashlib.sha256(b"A001\nA002\n").hexdigest()
    assert entry_list_hash(["A001", "A002"]) == expected
    assert entry_list_hash(["A002", "A001"]) != expected


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["A1", "A2", "A1"], "duplicate entry 'A1' at positions 1 and 3"),
        (["A1", ""], "entry 2 is empty"),
        (["A1", "A2\nA3"], "entry 2 contains a control character"),
        ("A1", "not one string"),
    ],
)
def test_bad_entry_lists_are_refused_with_the_place(entries: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        draw(entries, b"seed")


def test_seed_rule_is_sha256_of_the_documented_lines() -> None:
    entry_hash = entry_list_hash(["A001"])
    message = (
        "sunshine-lottery-seed/1\n"
        f"entry-list-sha256={entry_hash}\n"
        "source:drand:quicknet:123=ab\n"
        "source:lottery:tc-dlt:25001=3 11 19 27 33 + 4 12\n"
    ).encode()
    sources = {"lottery:tc-dlt:25001": "3 11 19 27 33 + 4 12", "drand:quicknet:123": "ab"}
    assert derive_seed(entry_hash, sources) == hashlib.sha256(message).digest()


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ({}, "at least one seed source"),
        ({"bad name": "1"}, "source name"),
        ({"x=y": "1"}, "source name"),
        ({"onsite:a": ""}, "has no value"),
        ({"onsite:a": "1\n2"}, "control character"),
        ({"onsite:a": " 12"}, "leading or trailing"),
    ],
)
def test_seed_rule_refuses_ambiguous_sources(sources: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        derive_seed(entry_list_hash(["A"]), sources)


def test_seed_rule_needs_a_real_entry_list_hash() -> None:
    with pytest.raises(ValueError, match="64 lower-case hex"):
        derive_seed("ABC", {"a": "1"})


def test_draw_is_fisher_yates_on_the_stream_personalised_with_the_algorithm() -> None:
    entries = [f"C{i:03d}" for i in range(30)]
    seed = b"\x07" * 32
    expected = RandomStream(seed, ALGORITHM.encode("ascii")).shuffle(entries)
    assert list(draw(entries, seed).order) == expected


@settings(max_examples=40, deadline=None)
@given(codes, st.binary(min_size=1, max_size=32))
def test_draw_is_a_deterministic_permutation_with_consistent_numbers(
    entries: list[str], seed: bytes
) -> None:
    result = draw(entries, seed)
    assert sorted(result.order) == sorted(entries)
    assert draw(entries, seed) == result
    assert sorted(result.numbers.values()) == list(range(1, len(entries) + 1))
    assert all(result.order[result.numbers[entry] - 1] == entry for entry in entries)


def test_different_seeds_give_different_draws() -> None:
    entries = [f"C{i:03d}" for i in range(50)]
    assert draw(entries, b"seed one").order != draw(entries, b"seed two").order


def test_frozen_entry_list_cannot_change_after_publication() -> None:
    entries = ["A001", "A002", "A003"]
    frozen = freeze_entries(entries)
    entries.append("A004")
    entries[0] = "X"
    assert frozen.entries == ("A001", "A002", "A003")
    assert frozen.sha256 == entry_list_hash(["A001", "A002", "A003"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.entries = ("Z",)  # type: ignore[misc]


def test_draw_result_cannot_be_edited() -> None:
    result = draw(["A", "B", "C"], b"seed")
    with pytest.raises(TypeError):
        result.numbers["A"] = 3  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.order = ()  # type: ignore[misc]


def test_draw_does_not_see_later_changes_to_the_input() -> None:
    entries = ["A", "B", "C", "D"]
    before = draw(entries, b"seed")
    entries.reverse()
    assert draw(["A", "B", "C", "D"], b"seed") == before
