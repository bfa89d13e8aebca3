"""How an audit event's hash is computed; shared by writing and verifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(value: Any) -> str:
    """SHA-256 of a value's canonical JSON: how audit events refer to data they must not hold."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def event_hash(
    *,
    previous_hash: str,
    sequence: int,
    occurred_at: dt.datetime,
    actor: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    source: str,
) -> str:
    body = canonical_json(
        {
            "sequence": sequence,
            "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "role": role,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
            "source": source,
        }
    )
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()
