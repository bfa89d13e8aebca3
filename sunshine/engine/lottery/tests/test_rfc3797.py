"""RFC 3797 mode reproduces the RFC's fully worked example (§6)."""

from __future__ import annotations

import hashlib

import pytest

from sunshine.commands.lottery import main as lottery_main
from sunshine.engine.lottery import rfc3797

# RFC 3797 §6: sources 9319 (a four-digit daily number), "2 5 12 8 10" and
# "9 18 26 34 41 45" (lottery draws); pool of 25 volunteers, 10 selected.
RFC_SOURCES = ["9319", "2 5 12 8 10", "9 18 26 34 41 45"]
RFC_KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"
# §6, column "hex value of MD5" for selections 1..10.
RFC_DIGESTS = [
    "990DD0A5692A029A98B5E01AA28F3459",
    "3691E55CB63FCC37914430B2F70B5EC6",
    "FE814EDF564C190AC1D25753979990FA",
    "1863CCACEB568C31D7DDBDF1D4E91387",
    "F4AB33DF4889F0AF29C513905BE1D758",
    "13EAEB529F61ACFB9A29D0BA3A60DE4A",
    "992DB77C382CA2BDB9727001F3CDCCD9",
    "63AB4258ECA922976811C7F55C383CE7",
    "DFBC5AC97CED01B3A6E348E3CC63F40D",
    "31CB111C4A4EBE9287CEAE16FE51B909",
]
# §6, column "selected": Lee, Doc, Mary, Charity, Kasczynski, Envy, Sneazy, Anger,
# Chastity, Pandora.
RFC_SELECTED = [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]


def test_key_string_sorts_each_source_and_adds_dots_and_slashes() -> None:
    sources = [rfc3797.parse_source(text) for text in RFC_SOURCES]
    assert rfc3797.key_string(sources) == RFC_KEY


@pytest.mark.parametrize(("index", "digest"), list(enumerate(RFC_DIGESTS)))
def test_selection_digests_match_the_rfc(index: int, digest: str) -> None:
    assert rfc3797.selection_digest(RFC_KEY, index).hex().upper() == digest


def test_selection_matches_the_rfc_worked_example() -> None:
    assert rfc3797.select(25, 10, RFC_KEY) == RFC_SELECTED


def test_selection_is_without_replacement_over_the_whole_pool() -> None:
    order = rfc3797.select(25, 25, RFC_KEY)
    assert order[:10] == RFC_SELECTED
    assert sorted(order) == list(range(1, 26))


def test_digest_brackets_the_key_with_the_two_byte_index() -> None:
    expected = hashlib.md5(b"\x01\x02" + RFC_KEY.encode() + b"\x01\x02").digest()
    assert rfc3797.selection_digest(RFC_KEY, 0x0102) == expected


def test_full_width_and_comma_separated_numbers_are_read_as_the_rfc_numbers() -> None:
    assert rfc3797.parse_source("０２，５ 12") == [2, 5, 12]


@pytest.mark.parametrize("bad", ["", "1 x 3", "-4", "1.5"])
def test_non_integer_sources_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        rfc3797.parse_source(bad)


def test_cannot_select_more_than_the_pool() -> None:
    with pytest.raises(ValueError, match="cannot select 26 of a pool of 25"):
        rfc3797.select(25, 26, RFC_KEY)


def test_command_prints_the_rfc_selection(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rfc3797", "--pool-size", "25", "--select", "10"]
    for source in RFC_SOURCES:
        argv += ["--source", source]
    assert lottery_main(argv) == 0
    assert capsys.readouterr().out.split() == [str(n) for n in RFC_SELECTED]
