"""Appending to the audit log. Call inside the transaction that makes the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sunshine.audit.chain import canonical_json, event_hash
from sunshine.audit.models import AuditChainHead, AuditEvent
from sunshine.privacy.crypto import blind_index

# Marks a state that did not exist (before a creation, after a deletion).
ABSENT: Any = object()


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a user (name and role) or a named task."""

    name: str
    role: str = ""
    source: str = ""

    @classmethod
    def system(cls, task: str) -> Actor:
        return cls(name=f"task:{task}", role="system")

    @classmethod
    def of_user(cls, user: Any, source: str = "") -> Actor:
        return cls(name=user.get_username(), role=getattr(user, "role", ""), source=source)

    @classmethod
    def of_request(cls, request: Any) -> Actor:
        """The signed-in user, with the request's source address as a keyed hash."""
        return cls.of_user(request.user, source=source_of(request))


def source_of(request: Any) -> str:
    """A keyed hash of the client address: comparable with a known address, never readable.

    An address identifies a person under PIPL, and audit rows are kept for ever, so the
    log holds ``blind_index(address)``; an investigator checks a suspect address by
    hashing it the same way.
    """
    return address_hash(str(request.META.get("REMOTE_ADDR", "")))


def address_hash(address: str) -> str:
    return blind_index(address, "client-address") if address else ""


def state_hash(value: Any) -> str:
    """A keyed fingerprint of a state, so the log can prove what changed without holding it.

    Keyed (HMAC) rather than a bare SHA-256 because states such as a phone number
    have so few possible values that a plain hash could be reversed by trying them all.
    """
    if value is ABSENT:
        return ""
    return blind_index(canonical_json(value), "audit-state")


@dataclass(frozen=True)
class Event:
    action: str
    object_type: str = ""
    object_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def describe(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    before: Any = ABSENT,
    after: Any = ABSENT,
    **data: Any,
) -> AuditEvent:
    """Append one event; ``before``/``after`` states are stored as fingerprints only."""
    object_type, object_id = describe(obj) if obj is not None else ("", "")
    return record_many(
        actor, [Event(action, object_type, object_id, data | changes(before, after))]
    )[0]


def changes(before: Any = ABSENT, after: Any = ABSENT) -> dict[str, str]:
    """The ``before_hash``/``after_hash`` entries of an event's data, for states given."""
    hashes = {"before_hash": state_hash(before), "after_hash": state_hash(after)}
    return {key: value for key, value in hashes.items() if value}


def record_many(actor: Actor, events: Iterable[Event]) -> list[AuditEvent]:
    """Append events in order, extending the chain under a lock on its head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events must be written inside the transaction they describe")
    head = _locked_head()
    now = timezone.now()
    rows = []
    for event in events:
        sequence = head.sequence + 1
        digest = _hash_of(head.hash, sequence, now, actor, event)
        rows.append(
            AuditEvent(
                sequence=sequence,
                occurred_at=now,
                actor=actor.name,
                role=actor.role,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                data=event.data,
                source=actor.source,
                previous_hash=head.hash,
                hash=digest,
            )
        )
        head.sequence, head.hash = sequence, digest
    # One row per INSERT: a multi-row insert on PostgreSQL sends each column as an array,
    # and escaping a large event's data into an array literal costs more than the few
    # round trips a transaction's events take.
    AuditEvent.objects.bulk_create(rows, batch_size=1)
    head.save(update_fields=["sequence", "hash"])
    return rows


def _locked_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _hash_of(previous: str, sequence: int, when: dt.datetime, actor: Actor, event: Event) -> str:
    return event_hash(
        previous_hash=previous,
        sequence=sequence,
        occurred_at=when,
        actor=actor.name,
        role=actor.role,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        source=actor.source,
    )
