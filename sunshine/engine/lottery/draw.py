"""The draw: a permutation of a frozen entry list, from a seed derived by a published rule.

The rule, written out for observers in docs/lottery.md:

* canonical entry list: each entry in UTF-8 followed by one line feed, in the
  published order; its SHA-256 in lower-case hex is the entry-list hash;
* seed: SHA-256 of ``SEED_DOMAIN`` line, ``entry-list-sha256=<hash>`` line, then one
  ``source:<name>=<value>`` line per source sorted by name (each line ends with a
  line feed), all UTF-8;
* draw: ``RandomStream(seed, personalization=ALGORITHM)``, Fisher–Yates over the entry
  list; position k (1-based) in the shuffled list is the entry's lottery number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sunshine.engine.lottery.stream import RandomStream

ALGORITHM = "sunshine-lottery/1:hmac-drbg-sha256:fisher-yates"
SEED_DOMAIN = "sunshine-lottery-seed/1"

_SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control_character(text: str) -> bool:
    return _CONTROL_CHARACTER.search(text) is not None


def _first_entry_problem(frozen: tuple[str, ...]) -> str:
    seen: dict[str, int] = {}
    for position, entry in enumerate(frozen, start=1):
        if not isinstance(entry, str):
            return f"entry {position} is not text: {entry!r}"
        if not entry:
            return f"entry {position} is empty"
        if _has_control_character(entry):
            return f"entry {position} contains a control character: {entry!r}"
        if entry in seen:
            return f"duplicate entry {entry!r} at positions {seen[entry]} and {position}"
        seen[entry] = position
    raise AssertionError("no problem found in entries that failed validation")


def validate_entries(entries: Sequence[str]) -> tuple[str, ...]:
    """The entries as a tuple, or a ValueError naming the first bad or duplicate entry."""
    if isinstance(entries, str):
        raise ValueError("entries must be a sequence of codes, not one string")
    frozen = tuple(entries)
    # Whole-list checks first: a million entries validate in well under a second.
    valid = (
        all(isinstance(entry, str) for entry in frozen)
        and "" not in frozen
        and not _has_control_character("".join(frozen))
        and len(set(frozen)) == len(frozen)
    )
    if not valid:
        raise ValueError(_first_entry_problem(frozen))
    return frozen


def canonical_entry_list(entries: Sequence[str]) -> bytes:
    """Each entry in UTF-8 followed by a line feed, in the given order."""
    return _canonical(validate_entries(entries))


def _canonical(frozen: tuple[str, ...]) -> bytes:
    return ("\n".join(frozen) + "\n").encode("utf-8") if frozen else b""


def entry_list_hash(entries: Sequence[str]) -> str:
    """Lower-case hex SHA-256 of the canonical entry list."""
    return hashlib.sha256(canonical_entry_list(entries)).hexdigest()


def hash_validated(frozen: tuple[str, ...]) -> str:
    """``entry_list_hash`` of entries that ``validate_entries`` already accepted."""
    return hashlib.sha256(_canonical(frozen)).hexdigest()


@dataclass(frozen=True, slots=True)
class FrozenEntryList:
    """An entry list fixed before any randomness exists, with its published hash."""

    entries: tuple[str, ...]
    sha256: str


def freeze_entries(entries: Sequence[str]) -> FrozenEntryList:
    """Validate, copy and hash ``entries``; later changes to the input do not reach it."""
    frozen = validate_entries(entries)
    return FrozenEntryList(entries=frozen, sha256=hash_validated(frozen))


def validate_source(name: str, value: str) -> None:
    """Raise ValueError unless ``name=value`` can appear in the seed rule unambiguously."""
    if not isinstance(name, str) or not _SOURCE_NAME.match(name):
        raise ValueError(
            f"source name {name!r} must be 1-128 ASCII letters, digits, '.', '_', ':' or '-'"
            " and start with a letter or digit"
        )
    if not isinstance(value, str) or not value:
        raise ValueError(f"source {name!r} has no value")
    if _has_control_character(value):
        raise ValueError(f"source {name!r} value contains a control character")
    if value != value.strip():
        raise ValueError(f"source {name!r} value has leading or trailing spaces")


def seed_message(entry_list_hash: str, sources: Mapping[str, str]) -> bytes:
    """The exact bytes hashed into the seed."""
    if not isinstance(entry_list_hash, str) or not _HEX_SHA256.match(entry_list_hash):
        raise ValueError("the entry-list hash must be 64 lower-case hex digits")
    if not sources:
        raise ValueError("a draw needs at least one seed source")
    lines = [SEED_DOMAIN, f"entry-list-sha256={entry_list_hash}"]
    for name in sorted(sources):
        validate_source(name, sources[name])
        lines.append(f"source:{name}={sources[name]}")
    return "".join(line + "\n" for line in lines).encode("utf-8")


def derive_seed(entry_list_hash: str, sources: Mapping[str, str]) -> bytes:
    """The published rule: SHA-256 of ``seed_message`` (32 bytes)."""
    return hashlib.sha256(seed_message(entry_list_hash, sources)).digest()


@dataclass(frozen=True)
class DrawResult:
    """The shuffled entries and each entry's 1-based lottery number."""

    order: tuple[str, ...]
    numbers: Mapping[str, int]


def draw_stream(seed: bytes) -> RandomStream:
    """The random stream a draw with ``seed`` reads from."""
    return RandomStream(seed, personalization=ALGORITHM.encode("ascii"))


def draw(entries: Sequence[str], seed: bytes) -> DrawResult:
    """Permutation of the frozen entry list; position k is lottery number k."""
    return draw_validated(validate_entries(entries), seed)


def draw_validated(frozen: tuple[str, ...], seed: bytes) -> DrawResult:
    """``draw`` for entries that ``validate_entries`` already accepted."""
    order = tuple(draw_stream(seed).shuffle(frozen))
    numbers = MappingProxyType(dict(zip(order, range(1, len(order) + 1), strict=True)))
    return DrawResult(order=order, numbers=numbers)
