"""The published draw record: everything needed to recompute a draw, sealed by its own hash.

A record is a JSON object (docs/lottery.md lists the fields). Its hash is the
SHA-256 of its canonical form without the ``record_sha256`` field: keys sorted,
no insignificant white space, UTF-8, no floating-point numbers, which for these
records is the JSON Canonicalization Scheme of RFC 8785. A record is never
edited; a redraw is a new record naming the old one in ``supersedes`` with a
``reason``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sunshine.engine.lottery import rfc3797
from sunshine.engine.lottery.drand import (
    CHAINS,
    DrandRound,
    DrandVerificationError,
    verify_round,
)
from sunshine.engine.lottery.draw import (
    ALGORITHM,
    derive_seed,
    draw_validated,
    hash_validated,
    validate_entries,
)
from sunshine.engine.lottery.sources import (
    KIND_DRAND,
    KIND_LOTTERY,
    KIND_ONSITE,
    Source,
    lottery_value,
    normalise_typed,
    source_values,
)

RECORD_FORMAT = "sunshine-lottery-record/1"
ALGORITHMS = (ALGORITHM, rfc3797.ALGORITHM)
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}\Z")

_REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "draw_id": str,
    "title": str,
    "context": dict,
    "algorithm": str,
    "code_version": str,
    "entries": list,
    "entry_count": int,
    "entry_list_sha256": str,
    "sources": list,
    "seed": str,
    "order": list,
    "supersedes": (str, type(None)),
    "reason": (str, type(None)),
    "record_sha256": str,
}


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8; floats are refused so the form is unique."""
    _refuse_floats(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("draw records hold no floating-point numbers")
    if isinstance(value, list) and all(type(item) is str for item in value):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"record keys are text, not {key!r}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical form of ``record`` without ``record_sha256``."""
    body = {key: value for key, value in record.items() if key != "record_sha256"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def compute_seed(algorithm: str, entry_hash: str, sources: Sequence[Source]) -> bytes:
    """The seed ``algorithm`` derives from the entry-list hash and the sources."""
    if algorithm == ALGORITHM:
        return derive_seed(entry_hash, source_values(list(sources)))
    if algorithm == rfc3797.ALGORITHM:
        numbers = [_rfc3797_numbers(source) for source in sources]
        return rfc3797.key_string(numbers).encode("ascii")
    raise ValueError(f"unknown algorithm {algorithm!r}; known: {ALGORITHMS}")


def _rfc3797_numbers(source: Source) -> list[int]:
    try:
        return rfc3797.parse_source(source.value)
    except ValueError as error:
        raise ValueError(f"RFC 3797 draws take numeric sources only: {error}") from error


def compute_order(algorithm: str, entries: tuple[str, ...], seed: bytes) -> list[str]:
    """The validated entries in drawn order: position k holds lottery number k."""
    if algorithm == ALGORITHM:
        return list(draw_validated(entries, seed).order)
    if algorithm == rfc3797.ALGORITHM:
        return rfc3797.permutation(entries, seed.decode("ascii"))
    raise ValueError(f"unknown algorithm {algorithm!r}; known: {ALGORITHMS}")


def build_record(
    entries: Sequence[str],
    sources: Sequence[Source],
    *,
    draw_id: str,
    code_version: str,
    title: str = "",
    context: Mapping[str, str] | None = None,
    algorithm: str = ALGORITHM,
    supersedes: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Draw and return the sealed record (a JSON-ready dict)."""
    frozen = validate_entries(entries)
    if not frozen:
        raise ValueError("a draw needs at least one entry")
    if not draw_id:
        raise ValueError("a draw needs a draw_id")
    _check_redraw_fields(supersedes, reason)
    entry_hash = hash_validated(frozen)
    seed = compute_seed(algorithm, entry_hash, sources)
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "draw_id": draw_id,
        "title": title,
        "context": dict(context or {}),
        "algorithm": algorithm,
        "code_version": code_version,
        "entries": list(frozen),
        "entry_count": len(frozen),
        "entry_list_sha256": entry_hash,
        "sources": [source.as_json() for source in sources],
        "seed": seed.hex(),
        "order": compute_order(algorithm, frozen, seed),
        "supersedes": supersedes,
        "reason": reason,
    }
    record["record_sha256"] = record_hash(record)
    return record


def build_redraw(
    previous: Mapping[str, Any],
    reason: str,
    entries: Sequence[str],
    sources: Sequence[Source],
    *,
    draw_id: str,
    code_version: str,
    title: str | None = None,
    context: Mapping[str, str] | None = None,
    algorithm: str = ALGORITHM,
) -> dict[str, Any]:
    """A new record replacing ``previous``, which stays published; the reason is required."""
    previous_hash = previous.get("record_sha256")
    if not isinstance(previous_hash, str) or record_hash(previous) != previous_hash:
        raise ValueError("the record being superseded does not match its own hash")
    return build_record(
        entries,
        sources,
        draw_id=draw_id,
        code_version=code_version,
        title=previous.get("title", "") if title is None else title,
        context=context,
        algorithm=algorithm,
        supersedes=previous_hash,
        reason=reason,
    )


def _check_redraw_fields(supersedes: str | None, reason: str | None) -> None:
    if supersedes is None and reason is not None:
        raise ValueError("a reason is only recorded for a redraw (with supersedes)")
    if supersedes is not None:
        if not _HEX_SHA256.match(supersedes):
            raise ValueError("supersedes must be the superseded record's record_sha256")
        if not reason or not reason.strip():
            raise ValueError("a redraw must record its reason")


@dataclass(frozen=True, slots=True)
class Difference:
    """The first place where a record disagrees with its recomputation."""

    field: str
    message: str
    position: int | None = None
    recorded: str | None = None
    recomputed: str | None = None

    def __str__(self) -> str:
        where = self.field if self.position is None else f"{self.field}[{self.position}]"
        text = f"{where}: {self.message}"
        shown = [
            f"{label} {value!r}"
            for label, value in (("recorded", self.recorded), ("recomputed", self.recomputed))
            if value is not None
        ]
        if shown:
            text += f" ({', '.join(shown)})"
        return text


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether a record recomputes exactly, and if not, its first difference."""

    difference: Difference | None

    @property
    def ok(self) -> bool:
        return self.difference is None

    def __str__(self) -> str:
        if self.difference is None:
            return "OK: the record recomputes exactly"
        return f"MISMATCH at {self.difference}"


class _Mismatch(Exception):
    def __init__(self, difference: Difference) -> None:
        super().__init__(str(difference))
        self.difference = difference


def verify_record(
    record: Mapping[str, Any], *, check_drand_signatures: bool = True
) -> Verification:
    """Recompute ``record`` and report a match or the first difference.

    Checked in this order: structure, entries and their hash, each source, the seed,
    the drawn order position by position, the redraw fields, the record hash.
    """
    try:
        _verify(record, check_drand_signatures)
    except _Mismatch as mismatch:
        return Verification(mismatch.difference)
    return Verification(None)


def _verify(record: Mapping[str, Any], check_drand_signatures: bool) -> None:
    _check_structure(record)
    entries = _check_entries(record)
    sources = _check_sources(record, check_drand_signatures)
    seed = _check_seed(record, sources)
    _check_order(record, entries, seed)
    _check_redraw(record)
    recomputed = record_hash(record)
    if recomputed != record["record_sha256"]:
        raise _Mismatch(
            Difference(
                "record_sha256",
                "the record's content does not hash to its recorded hash",
                recorded=record["record_sha256"],
                recomputed=recomputed,
            )
        )


def _check_structure(record: Mapping[str, Any]) -> None:
    if not isinstance(record, Mapping):
        raise _Mismatch(Difference("record", "a record is a JSON object"))
    for name, expected in _REQUIRED_FIELDS.items():
        if name not in record:
            raise _Mismatch(Difference(name, "missing"))
        value = record[name]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise _Mismatch(Difference(name, f"has the wrong type ({type(value).__name__})"))
    unknown = sorted(set(record) - set(_REQUIRED_FIELDS))
    if unknown:
        raise _Mismatch(Difference(unknown[0], "is not a field of this record format"))
    if record["format"] != RECORD_FORMAT:
        raise _Mismatch(
            Difference("format", "unknown format", recorded=record["format"], recomputed=None)
        )
    if record["algorithm"] not in ALGORITHMS:
        raise _Mismatch(Difference("algorithm", f"unknown; known: {', '.join(ALGORITHMS)}"))


def _check_entries(record: Mapping[str, Any]) -> tuple[str, ...]:
    entries = record["entries"]
    try:
        frozen = validate_entries(entries)
    except ValueError as error:
        raise _Mismatch(Difference("entries", str(error))) from error
    if record["entry_count"] != len(frozen):
        raise _Mismatch(
            Difference(
                "entry_count",
                "does not match the number of entries",
                recorded=str(record["entry_count"]),
                recomputed=str(len(frozen)),
            )
        )
    recomputed = hash_validated(frozen)
    if recomputed != record["entry_list_sha256"]:
        drawn = set(record["order"]) if all(isinstance(e, str) for e in record["order"]) else set()
        for position, entry in enumerate(frozen, start=1):
            if entry not in drawn:
                raise _Mismatch(
                    Difference(
                        "entries",
                        "this entry is not in the drawn order, and the entry list no longer"
                        " hashes to entry_list_sha256",
                        position=position,
                        recorded=entry,
                    )
                )
        raise _Mismatch(
            Difference(
                "entry_list_sha256",
                "the entries do not hash to the recorded entry-list hash",
                recorded=record["entry_list_sha256"],
                recomputed=recomputed,
            )
        )
    return frozen


def _check_sources(record: Mapping[str, Any], check_drand_signatures: bool) -> list[Source]:
    sources: list[Source] = []
    for index, item in enumerate(record["sources"]):
        where = f"sources[{index}]"
        if not isinstance(item, dict) or set(item) != {"name", "kind", "value", "evidence"}:
            raise _Mismatch(Difference(where, "needs exactly name, kind, value and evidence"))
        try:
            source = Source(item["name"], item["kind"], item["value"], item["evidence"])
        except (TypeError, ValueError) as error:
            raise _Mismatch(Difference(where, str(error))) from error
        if not isinstance(source.evidence, dict):
            raise _Mismatch(Difference(f"{where}.evidence", "must be an object"))
        _check_source_value(where, source, check_drand_signatures)
        sources.append(source)
    if not sources:
        raise _Mismatch(Difference("sources", "a draw needs at least one source"))
    try:
        source_values(sources)
    except ValueError as error:
        raise _Mismatch(Difference("sources", str(error))) from error
    return sources


def _check_source_value(where: str, source: Source, check_drand_signatures: bool) -> None:
    if source.kind == KIND_DRAND:
        _check_drand_source(where, source, check_drand_signatures)
    elif source.kind == KIND_LOTTERY:
        game = source.evidence.get("game")
        try:
            canonical = lottery_value(str(game), source.value)
        except ValueError as error:
            raise _Mismatch(Difference(f"{where}.value", str(error))) from error
        if canonical != source.value or not source.name.startswith(f"{KIND_LOTTERY}:{game}:"):
            raise _Mismatch(
                Difference(
                    f"{where}.value",
                    f"not the canonical form of a {game} result named {source.name!r}",
                    recorded=source.value,
                    recomputed=canonical,
                )
            )
    elif source.kind == KIND_ONSITE and normalise_typed(source.value) != source.value:
        raise _Mismatch(Difference(f"{where}.value", "not in normalised form"))


def _check_drand_source(where: str, source: Source, check_signature: bool) -> None:
    evidence = source.evidence
    try:
        beacon = DrandRound(
            chain=evidence["chain"],
            round=evidence["round"],
            signature=evidence["signature"],
            previous_signature=evidence.get("previous_signature", ""),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _Mismatch(Difference(f"{where}.evidence", f"not a drand round: {error}")) from error
    expected_name = f"{KIND_DRAND}:{beacon.chain}:{beacon.round}"
    if source.name != expected_name:
        raise _Mismatch(
            Difference(
                f"{where}.name",
                "does not name its round",
                recorded=source.name,
                recomputed=expected_name,
            )
        )
    if evidence.get("chain_hash") != CHAINS[beacon.chain].chain_hash:
        raise _Mismatch(Difference(f"{where}.evidence.chain_hash", "not the chain's hash"))
    if source.value != beacon.randomness:
        raise _Mismatch(
            Difference(
                f"{where}.value",
                "is not SHA-256 of the round's signature",
                recorded=source.value,
                recomputed=beacon.randomness,
            )
        )
    if check_signature:
        try:
            verify_round(beacon)
        except DrandVerificationError as error:
            raise _Mismatch(Difference(f"{where}.evidence.signature", str(error))) from error


def _check_seed(record: Mapping[str, Any], sources: list[Source]) -> bytes:
    try:
        seed = compute_seed(record["algorithm"], record["entry_list_sha256"], sources)
    except ValueError as error:
        raise _Mismatch(Difference("sources", str(error))) from error
    if seed.hex() != record["seed"]:
        raise _Mismatch(
            Difference(
                "seed",
                "the sources and entry-list hash derive a different seed (a source value or"
                " the seed was changed)",
                recorded=record["seed"],
                recomputed=seed.hex(),
            )
        )
    return seed


def _check_order(record: Mapping[str, Any], entries: tuple[str, ...], seed: bytes) -> None:
    recomputed = compute_order(record["algorithm"], entries, seed)
    recorded = record["order"]
    for position, (got, expected) in enumerate(zip(recorded, recomputed, strict=False), start=1):
        if got != expected:
            raise _Mismatch(
                Difference(
                    "order",
                    f"lottery number {position} differs",
                    position=position,
                    recorded=str(got),
                    recomputed=expected,
                )
            )
    if len(recorded) != len(recomputed):
        raise _Mismatch(
            Difference(
                "order",
                "the drawn order has the wrong length",
                recorded=str(len(recorded)),
                recomputed=str(len(recomputed)),
            )
        )


def _check_redraw(record: Mapping[str, Any]) -> None:
    try:
        _check_redraw_fields(record["supersedes"], record["reason"])
    except ValueError as error:
        raise _Mismatch(Difference("supersedes", str(error))) from error
