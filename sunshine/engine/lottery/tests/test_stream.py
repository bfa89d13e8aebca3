"""The random stream: NIST CAVP vectors, unbiased integers, Fisher–Yates, and their uniformity."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.engine.lottery.stream import REQUEST_BYTES, HmacDrbg, RandomStream, word_bytes
from sunshine.engine.lottery.tests.chisquare import chi_square_critical_value

VECTORS = Path(__file__).parent / "data" / "hmac_drbg_sha256_no_reseed.rsp"
FALSE_FAILURE = 1e-6


def read_cavp_records(path: Path) -> list[dict[str, list[str]]]:
    """The COUNT records of a CAVP .rsp file, each field to its values in file order."""
    records: list[dict[str, list[str]]] = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "[")) or "=" not in line:
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        if key == "COUNT":
            records.append({})
        records[-1].setdefault(key, []).append(value)
    return records


CAVP_RECORDS = read_cavp_records(VECTORS)


def test_the_vector_file_holds_every_kind_of_case() -> None:
    with_personalization = [r for r in CAVP_RECORDS if r["PersonalizationString"][0]]
    with_additional_input = [r for r in CAVP_RECORDS if r["AdditionalInput"][0]]
    assert len(CAVP_RECORDS) == 9
    assert with_personalization and with_additional_input


@pytest.mark.parametrize("record", CAVP_RECORDS, ids=lambda r: r["EntropyInput"][0][:8])
def test_hmac_drbg_matches_nist_cavp_vectors(record: dict[str, list[str]]) -> None:
    drbg = HmacDrbg(
        bytes.fromhex(record["EntropyInput"][0]),
        bytes.fromhex(record["Nonce"][0]),
        bytes.fromhex(record["PersonalizationString"][0]),
    )
    first, second = (bytes.fromhex(value) for value in record["AdditionalInput"])
    expected = bytes.fromhex(record["ReturnedBits"][0])
    drbg.generate(len(expected), first)
    assert drbg.generate(len(expected), second) == expected


def test_stream_is_the_concatenation_of_fixed_size_generate_requests() -> None:
    drbg = HmacDrbg(b"seed", b"", b"personal")
    expected = drbg.generate(REQUEST_BYTES) + drbg.generate(REQUEST_BYTES)
    assert RandomStream(b"seed", b"personal").random_bytes(2 * REQUEST_BYTES) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=12))
def test_bytes_do_not_depend_on_how_they_are_read(chunks: list[int]) -> None:
    stream = RandomStream(b"chunking")
    pieces = b"".join(stream.random_bytes(size) for size in chunks)
    assert pieces == RandomStream(b"chunking").random_bytes(sum(chunks))


def test_personalization_separates_streams() -> None:
    assert RandomStream(b"s", b"a").random_bytes(32) != RandomStream(b"s", b"b").random_bytes(32)


class CraftedStream(RandomStream):
    """A stream whose bytes are given, so rejections can be placed where a test needs them."""

    def __init__(self, data: bytes) -> None:
        super().__init__(b"unused")
        self._buffer = data
        self._offset = 0

    def _peek(self, n: int) -> bytes:
        if len(self._buffer) - self._offset < n:
            raise AssertionError("the test supplied too few bytes")
        return self._buffer[self._offset : self._offset + n]

    @property
    def consumed(self) -> int:
        return self._offset


def word(value: int) -> bytes:
    return value.to_bytes(8, "big")


def test_randbelow_rejects_the_top_partial_block_instead_of_folding_it() -> None:
    # 2^64 = 3 * 6148914691236517205 + 1, so the single largest word would favour 0.
    stream = CraftedStream(word(2**64 - 1) + word(5))
    assert stream.randbelow(3) == 2
    assert stream.consumed == 16


def test_randbelow_accepts_the_largest_unbiased_word() -> None:
    stream = CraftedStream(word(2**64 - 2))
    assert stream.randbelow(3) == (2**64 - 2) % 3
    assert stream.consumed == 8


def test_randbelow_reads_wider_words_for_huge_bounds() -> None:
    assert word_bytes(2**32 - 1) == 8
    assert word_bytes(2**32) == 16
    stream = CraftedStream((7).to_bytes(16, "big"))
    assert stream.randbelow(2**40) == 7


def test_randbelow_refuses_empty_range() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        RandomStream(b"s").randbelow(0)


@settings(max_examples=60, deadline=None)
@given(
    bounds=st.lists(st.integers(min_value=1, max_value=2**32 - 1), min_size=1, max_size=40),
    rejected=st.sets(st.integers(min_value=0, max_value=60), max_size=6),
    seed=st.binary(min_size=8, max_size=8),
)
def test_bulk_draws_equal_one_at_a_time_draws_even_with_rejections(
    bounds: list[int], rejected: set[int], seed: bytes
) -> None:
    # Words at the chosen indexes are 2^64 - 1, rejected by every bound that is not a power of 2.
    filler = hashlib.sha256(seed).digest() * 40
    words = [
        word(2**64 - 1) if index in rejected else filler[8 * index : 8 * index + 8]
        for index in range(120)
    ]
    data = b"".join(words)
    one_by_one = CraftedStream(data)
    expected = [one_by_one.randbelow(bound) for bound in bounds]
    in_bulk = CraftedStream(data)
    assert in_bulk.randbelow_many(bounds) == expected
    assert in_bulk.consumed == one_by_one.consumed


def test_bulk_and_single_draws_agree_on_the_real_generator() -> None:
    bounds = list(range(2, 3000))
    single = RandomStream(b"agree")
    expected = [single.randbelow(bound) for bound in bounds]
    assert RandomStream(b"agree").randbelow_many(bounds) == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(), max_size=60), st.binary(min_size=1, max_size=16))
def test_shuffle_returns_a_new_permutation(items: list[int], seed: bytes) -> None:
    original = list(items)
    shuffled = RandomStream(seed).shuffle(items)
    assert sorted(shuffled) == sorted(original)
    assert items == original


def test_shuffle_is_durstenfeld_fisher_yates_over_randbelow() -> None:
    items = list("abcdefghij")
    swaps = RandomStream(b"fy")
    expected = list(items)
    for i in range(len(expected) - 1, 0, -1):
        j = swaps.randbelow(i + 1)
        expected[i], expected[j] = expected[j], expected[i]
    assert RandomStream(b"fy").shuffle(items) == expected


# Uniformity. Each test draws from fixed seeds, so it is deterministic; the threshold is
# the chi-square quantile with P(false failure) = 1e-6 over the choice of seeds.


def test_chi_square_quantiles_match_published_tables() -> None:
    # Standard table values, and the closed form -2 ln p for two degrees of freedom.
    assert chi_square_critical_value(1, 0.05) == pytest.approx(3.841459, abs=1e-5)
    assert chi_square_critical_value(10, 0.01) == pytest.approx(23.209251, abs=1e-5)
    assert chi_square_critical_value(25, 0.001) == pytest.approx(52.619656, abs=1e-5)
    assert chi_square_critical_value(2, 1e-6) == pytest.approx(-2 * math.log(1e-6), rel=1e-9)


def pearson(counts: np.ndarray, expected: float) -> float:
    return float(((counts - expected) ** 2 / expected).sum())


def test_randbelow_values_are_uniform() -> None:
    bound, samples = 7, 70_000
    values = RandomStream(b"uniform integers").randbelow_many([bound] * samples)
    counts = np.bincount(values, minlength=bound)
    assert pearson(counts, samples / bound) < chi_square_critical_value(bound - 1, FALSE_FAILURE)


def test_the_uniformity_test_detects_modulo_bias() -> None:
    # One byte modulo 200 gives 0..55 twice the weight of 56..199.
    bound, samples = 200, 20_000
    raw = np.frombuffer(RandomStream(b"biased").random_bytes(samples), dtype=np.uint8)
    counts = np.bincount(raw % bound, minlength=bound)
    assert pearson(counts, samples / bound) > chi_square_critical_value(bound - 1, FALSE_FAILURE)


def position_statistic(shuffle: object, size: int, draws: int) -> float:
    """Pearson statistic of entry-by-position counts, scaled to chi-square((size-1)^2).

    For a uniform permutation the indicator matrix has covariance (1/(size-1)) times the
    projection onto matrices with zero row and column sums, so the plain Pearson sum
    is size/(size-1) times a chi-square with (size-1)^2 degrees of freedom.
    """
    counts = np.zeros((size, size))
    for index in range(draws):
        stream = RandomStream(hashlib.sha256(b"positions %d" % index).digest())
        order = shuffle(stream, list(range(size)))  # type: ignore[operator]
        counts[order, np.arange(size)] += 1
    return pearson(counts, draws / size) * (size - 1) / size


def test_every_entry_is_equally_likely_at_every_position() -> None:
    size = 5
    statistic = position_statistic(RandomStream.shuffle, size, 6000)
    assert statistic < chi_square_critical_value((size - 1) ** 2, FALSE_FAILURE)


def sattolo(stream: RandomStream, items: list[int]) -> list[int]:
    # Off-by-one Fisher–Yates: only cyclic permutations, nothing ever stays in place.
    for i in range(len(items) - 1, 0, -1):
        j = stream.randbelow(i)
        items[i], items[j] = items[j], items[i]
    return items


def test_the_position_test_detects_an_off_by_one_shuffle() -> None:
    size = 5
    statistic = position_statistic(sattolo, size, 1000)
    assert statistic > chi_square_critical_value((size - 1) ** 2, FALSE_FAILURE)
