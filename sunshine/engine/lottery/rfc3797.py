"""RFC 3797 (Publicly Verifiable NomCom Random Selection), §4 and §6.

Each source is a list of non-negative integers. The key string is, source by
source in announced order, the source's integers sorted ascending, written in
decimal, each followed by ``.``, the source followed by ``/`` (§4). For selection
``i`` (0-based) the MD5 of ``i`` as two big-endian bytes, the key string, and ``i``
again is read as a 128-bit big-endian integer; its remainder modulo the number of
candidates not yet selected picks, counting from zero, one of them in pool order
(§4, the reference code of §6). Selection is without replacement.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

ALGORITHM = "rfc3797:md5-selection"
MAX_SELECTIONS = 2**16  # the index is written in two bytes

_SEPARATORS = re.compile(r"[\s,;+]+")


def parse_source(text: str) -> list[int]:
    """The integers of one source written as text, e.g. ``"2 5 12 8 10"`` or ``"０３，１２"``."""
    normalised = unicodedata.normalize("NFKC", text).strip()
    if not normalised:
        raise ValueError("an RFC 3797 source needs at least one number")
    numbers: list[int] = []
    for token in _SEPARATORS.split(normalised):
        if not token.isdigit() or not token.isascii():
            raise ValueError(f"RFC 3797 source {text!r}: {token!r} is not a non-negative integer")
        numbers.append(int(token))
    return numbers


def key_string(sources: Sequence[Sequence[int]]) -> str:
    """§4: sorted decimal integers, each followed by '.', each source followed by '/'."""
    if not sources:
        raise ValueError("RFC 3797 needs at least one source")
    parts: list[str] = []
    for source in sources:
        if not source:
            raise ValueError("an RFC 3797 source needs at least one number")
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in source):
            raise ValueError(f"RFC 3797 sources hold non-negative integers, not {list(source)!r}")
        parts.append("".join(f"{n}." for n in sorted(source)) + "/")
    return "".join(parts)


def selection_digest(key: str, index: int) -> bytes:
    """MD5 of the two-byte index, the key string and the index again (§4)."""
    if not 0 <= index < MAX_SELECTIONS:
        raise ValueError(f"RFC 3797 selection index must be 0..{MAX_SELECTIONS - 1}")
    prefix = index.to_bytes(2, "big")
    return hashlib.md5(prefix + key.encode("ascii") + prefix, usedforsecurity=False).digest()


def select(pool_size: int, count: int, key: str) -> list[int]:
    """The 1-based pool positions selected, in selection order."""
    if pool_size < 1:
        raise ValueError("the pool must hold at least one candidate")
    if not 0 <= count <= pool_size:
        raise ValueError(f"cannot select {count} of a pool of {pool_size}")
    if count > MAX_SELECTIONS:
        raise ValueError(f"RFC 3797 selects at most {MAX_SELECTIONS} candidates")
    remaining = list(range(1, pool_size + 1))
    chosen: list[int] = []
    for index in range(count):
        value = int.from_bytes(selection_digest(key, index), "big")
        chosen.append(remaining.pop(value % len(remaining)))
    return chosen


def permutation(entries: Sequence[str], key: str) -> list[str]:
    """The whole pool in selection order: position k is lottery number k."""
    return [entries[position - 1] for position in select(len(entries), len(entries), key)]
