"""Public lottery that anyone can recompute.

A draw is a Fisher–Yates permutation of a frozen, published entry list, driven
by HMAC-DRBG (SHA-256) from a seed derived by a published rule from public
sources. docs/lottery.md states the rule precisely enough to re-implement it.
"""

from sunshine.engine.lottery.drand import DrandRound, DrandVerificationError, drand_source
from sunshine.engine.lottery.draw import (
    ALGORITHM,
    SEED_DOMAIN,
    DrawResult,
    FrozenEntryList,
    canonical_entry_list,
    derive_seed,
    draw,
    draw_stream,
    entry_list_hash,
    freeze_entries,
    seed_message,
    validate_entries,
)
from sunshine.engine.lottery.record import (
    RECORD_FORMAT,
    Difference,
    Verification,
    build_record,
    build_redraw,
    record_hash,
    verify_record,
)
from sunshine.engine.lottery.sources import (
    LOTTERY_GAMES,
    Source,
    TwoPersonMismatch,
    accept_two_person_entry,
    lottery_source,
    onsite_source,
)
from sunshine.engine.lottery.stream import HmacDrbg, RandomStream

__all__ = [
    "ALGORITHM",
    "LOTTERY_GAMES",
    "RECORD_FORMAT",
    "SEED_DOMAIN",
    "Difference",
    "DrandRound",
    "DrandVerificationError",
    "DrawResult",
    "FrozenEntryList",
    "HmacDrbg",
    "RandomStream",
    "Source",
    "TwoPersonMismatch",
    "Verification",
    "accept_two_person_entry",
    "build_record",
    "build_redraw",
    "canonical_entry_list",
    "derive_seed",
    "drand_source",
    "draw",
    "draw_stream",
    "entry_list_hash",
    "freeze_entries",
    "lottery_source",
    "onsite_source",
    "record_hash",
    "seed_message",
    "validate_entries",
    "verify_record",
]
