#!/usr/bin/env python3
"""Recompute a published Sunshine lottery record with nothing but Python's standard library.

Usage: python3 verify_lottery.py RECORD.json
Prints OK and exits 0 when the record recomputes exactly; otherwise prints the
first difference and exits 1. Written from docs/lottery.md alone. It checks a
drand source's randomness against its signature but not the BLS signature itself,
which needs a pairing library.
"""

import hashlib
import hmac
import json
import sys

SUNSHINE = "sunshine-lottery/1:hmac-drbg-sha256:fisher-yates"
RFC3797 = "rfc3797:md5-selection"


class Stream:
    """HMAC-DRBG (SHA-256), seeded once, read as 4096-byte Generate requests."""

    def __init__(self, seed, personalization):
        self.key, self.value = b"\0" * 32, b"\1" * 32
        self.update(seed + personalization)
        self.buffer = b""

    def update(self, data):
        self.key = hmac.new(self.key, self.value + b"\0" + data, "sha256").digest()
        self.value = hmac.new(self.key, self.value, "sha256").digest()
        if data:
            self.key = hmac.new(self.key, self.value + b"\1" + data, "sha256").digest()
            self.value = hmac.new(self.key, self.value, "sha256").digest()

    def read(self, n):
        while len(self.buffer) < n:
            out = b""
            while len(out) < 4096:
                self.value = hmac.new(self.key, self.value, "sha256").digest()
                out += self.value
            self.update(b"")
            self.buffer += out[:4096]
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def below(self, n):
        width = 8 * ((n.bit_length() + 32 + 63) // 64)
        modulus = 1 << (8 * width)
        while True:
            x = int.from_bytes(self.read(width), "big")
            if x < modulus - modulus % n:
                return x % n


def sunshine_order(entries, seed):
    stream, items = Stream(seed, SUNSHINE.encode()), list(entries)
    for i in range(len(items) - 1, 0, -1):
        j = stream.below(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def sunshine_seed(entry_hash, sources):
    lines = ["sunshine-lottery-seed/1", f"entry-list-sha256={entry_hash}"]
    lines += [f"source:{s['name']}={s['value']}" for s in sorted(sources, key=lambda s: s["name"])]
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).digest()


def rfc3797_key(sources):
    key = ""
    for s in sources:
        numbers = sorted(int(t) for t in s["value"].replace("+", " ").replace(",", " ").split())
        key += "".join(f"{n}." for n in numbers) + "/"
    return key.encode()


def rfc3797_order(entries, key):
    remaining, order = list(entries), []
    for i in range(len(entries)):
        index = i.to_bytes(2, "big")
        value = int.from_bytes(hashlib.md5(index + key + index).digest(), "big")
        order.append(remaining.pop(value % len(remaining)))
    return order


def first_difference(record):
    entries = record["entries"]
    if len(set(entries)) != len(entries):
        return "entries: duplicate entry"
    entry_hash = hashlib.sha256("".join(e + "\n" for e in entries).encode()).hexdigest()
    if entry_hash != record["entry_list_sha256"]:
        return f"entry_list_sha256: recorded {record['entry_list_sha256']}, recomputed {entry_hash}"
    for i, s in enumerate(record["sources"]):
        if s["kind"] == "drand":
            randomness = hashlib.sha256(bytes.fromhex(s["evidence"]["signature"])).hexdigest()
            if randomness != s["value"]:
                return f"sources[{i}].value: not SHA-256 of the drand signature"
    if record["algorithm"] == SUNSHINE:
        seed = sunshine_seed(entry_hash, record["sources"])
        order = sunshine_order(entries, seed)
    elif record["algorithm"] == RFC3797:
        seed = rfc3797_key(record["sources"])
        order = rfc3797_order(entries, seed)
    else:
        return f"algorithm: unknown {record['algorithm']!r}"
    if seed.hex() != record["seed"]:
        return f"seed: recorded {record['seed']}, recomputed {seed.hex()}"
    for number, (got, expected) in enumerate(zip(record["order"], order, strict=False), start=1):
        if got != expected:
            return f"order[{number}]: recorded {got!r}, recomputed {expected!r}"
    if len(record["order"]) != len(order):
        return "order: wrong length"
    body = {k: v for k, v in record.items() if k != "record_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    if digest != record["record_sha256"]:
        return f"record_sha256: recorded {record['record_sha256']}, recomputed {digest}"
    return None


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        problem = first_difference(json.load(handle))
    print("OK" if problem is None else "MISMATCH at " + problem)
    sys.exit(0 if problem is None else 1)
