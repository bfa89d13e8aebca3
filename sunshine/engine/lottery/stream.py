"""The lottery's random stream: HMAC-DRBG with SHA-256, seeded once.

The generator follows NIST SP 800-90A Rev. 1, §10.1.2 (HMAC_DRBG), with the
seed taken as the entropy input, an empty nonce and no reseeding. The stream
is defined byte for byte so that anyone can reproduce it (docs/lottery.md):

* the byte stream is the concatenation of successive Generate requests of
  ``REQUEST_BYTES`` = 4096 bytes each (2^15 bits, within the 2^19-bit limit of
  §10.1), without additional input;
* ``randbelow(n)`` reads a word of ``word_bytes(n)`` bytes as a big-endian
  unsigned integer ``x`` and accepts it when ``x < M - (M mod n)`` with
  ``M = 2^(8 * word_bytes(n))``, returning ``x mod n``; a rejected word is
  dropped and the next one read. Accepted values are exactly uniform;
* ``shuffle`` is Fisher–Yates (Durstenfeld): for ``i`` from ``len - 1`` down
  to 1, ``j = randbelow(i + 1)`` and items ``i`` and ``j`` swap.

Bulk draws read the same bytes through NumPy; the result is identical to
calling ``randbelow`` one value at a time.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")

# SP 800-90A Rev. 1, Table 2 (HMAC_DRBG): max_number_of_bits_per_request = 2^19.
MAX_REQUEST_BYTES = 2**19 // 8
# Bytes per Generate request of the stream. Large enough that the Update after each
# request costs under 2 %, small enough that a 45-entry draw does not compute 64 KiB.
REQUEST_BYTES = 4096
# SP 800-90A Rev. 1, Table 2: reseed_interval <= 2^48 requests.
RESEED_INTERVAL = 2**48
_OUTLEN = 32  # SHA-256 output length in bytes
_VECTOR_BOUND_LIMIT = 2**32  # bounds below this use one 64-bit word per attempt
_UINT64_MAX = np.uint64(2**64 - 1)


class HmacDrbg:
    """HMAC_DRBG (SHA-256) per SP 800-90A Rev. 1 §10.1.2, without reseeding."""

    def __init__(self, entropy_input: bytes, nonce: bytes = b"", personalization: bytes = b""):
        # §10.1.2.3 Instantiate: Key = 0x00..., V = 0x01..., then Update(seed_material).
        self._key = b"\x00" * _OUTLEN
        self._value = b"\x01" * _OUTLEN
        self._update(bytes(entropy_input) + bytes(nonce) + bytes(personalization))
        self._reseed_counter = 1

    def _hmac(self, message: bytes) -> bytes:
        return hmac.digest(self._key, message, "sha256")

    def _update(self, provided_data: bytes) -> None:
        # §10.1.2.2 HMAC_DRBG_Update.
        self._key = self._hmac(self._value + b"\x00" + provided_data)
        self._value = self._hmac(self._value)
        if provided_data:
            self._key = self._hmac(self._value + b"\x01" + provided_data)
            self._value = self._hmac(self._value)

    def generate(self, n_bytes: int, additional_input: bytes = b"") -> bytes:
        """§10.1.2.5 HMAC_DRBG_Generate: ``n_bytes`` pseudorandom bytes."""
        if not 0 <= n_bytes <= MAX_REQUEST_BYTES:
            raise ValueError(f"a request is 0..{MAX_REQUEST_BYTES} bytes, not {n_bytes}")
        if self._reseed_counter > RESEED_INTERVAL:
            raise RuntimeError("HMAC-DRBG reseed interval exhausted; this stream never reseeds")
        if additional_input:
            self._update(additional_input)
        key = self._key
        value = self._value
        blocks: list[bytes] = []
        for _ in range(-(-n_bytes // _OUTLEN)):
            value = hmac.digest(key, value, "sha256")
            blocks.append(value)
        self._value = value
        self._update(additional_input)
        self._reseed_counter += 1
        return b"".join(blocks)[:n_bytes]


def word_bytes(n: int) -> int:
    """Bytes read per attempt of ``randbelow(n)``: 8 for n < 2^32, leaving ≥ 32 spare bits."""
    return 8 * -(-(n.bit_length() + 32) // 64)


class RandomStream:
    """HMAC-DRBG (SHA-256, NIST SP 800-90A Rev.1 §10.1.2) seeded once; no reseeding."""

    def __init__(self, seed: bytes, personalization: bytes = b"") -> None:
        if not isinstance(seed, bytes | bytearray) or not seed:
            raise ValueError("the seed must be non-empty bytes")
        self._drbg = HmacDrbg(bytes(seed), b"", bytes(personalization))
        self._buffer = b""
        self._offset = 0

    def _peek(self, n: int) -> bytes:
        """The next ``n`` bytes of the stream, without consuming them."""
        available = len(self._buffer) - self._offset
        if available < n:
            pieces = [self._buffer[self._offset :]]
            while available < n:
                block = self._drbg.generate(REQUEST_BYTES)
                pieces.append(block)
                available += len(block)
            self._buffer = b"".join(pieces)
            self._offset = 0
        return self._buffer[self._offset : self._offset + n]

    def _skip(self, n: int) -> None:
        self._offset += n

    def random_bytes(self, n: int) -> bytes:
        """The next ``n`` bytes of the stream."""
        if n < 0:
            raise ValueError(f"cannot read {n} bytes")
        data = self._peek(n)
        self._skip(n)
        return data

    def randbelow(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` by rejection sampling (no modulo bias)."""
        if n < 1:
            raise ValueError(f"randbelow needs n >= 1, not {n}")
        width = word_bytes(n)
        modulus = 1 << (8 * width)
        limit = modulus - modulus % n
        while True:
            word = int.from_bytes(self.random_bytes(width), "big")
            if word < limit:
                return word % n

    def randbelow_many(self, bounds: Sequence[int] | npt.NDArray[np.uint64]) -> list[int]:
        """``[randbelow(b) for b in bounds]``, the same values, drawn in bulk."""
        bound_array = np.asarray(bounds, dtype=np.uint64)
        if bound_array.size and int(bound_array.min()) < 1:
            raise ValueError("randbelow needs n >= 1 for every bound")
        if bound_array.size and int(bound_array.max()) >= _VECTOR_BOUND_LIMIT:
            return [self.randbelow(int(bound)) for bound in bound_array]
        values: list[int] = self._below_vectorised(bound_array).tolist()
        return values

    def _below_vectorised(self, bounds: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        # One 8-byte word per attempt; a rejected word (probability < 2^-32) shifts every
        # later draw by one word, so accept the run before it and continue after it.
        result = np.empty(bounds.size, dtype=np.uint64)
        done = 0
        while done < bounds.size:
            pending = bounds[done:]
            words = np.frombuffer(self._peek(8 * pending.size), dtype=">u8").astype(np.uint64)
            remainders = (np.uint64(0) - pending) % pending  # 2^64 mod n
            rejected = words > _UINT64_MAX - remainders
            accepted = pending.size if not rejected.any() else int(np.argmax(rejected))
            result[done : done + accepted] = words[:accepted] % pending[:accepted]
            self._skip(8 * accepted)
            done += accepted
            if accepted < pending.size:
                self._skip(8)  # drop the rejected word; the same bound draws again
        return result

    def shuffle(self, items: Sequence[T]) -> list[T]:
        """Fisher–Yates (Durstenfeld) shuffle; returns a new list."""
        shuffled = list(items)
        last = len(shuffled) - 1
        if last < 1:
            return shuffled
        bounds = np.arange(last + 1, 1, -1, dtype=np.uint64)  # i + 1 for i = last .. 1
        swaps = self.randbelow_many(bounds)
        for i, j in zip(range(last, 0, -1), swaps, strict=True):
            shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
        return shuffled
