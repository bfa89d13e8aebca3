"""Reading and checking the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sunshine.audit.chain import GENESIS_HASH, event_hash
from sunshine.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    ok: bool
    problem: str = ""
    sequence: int | None = None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first changed, inserted or deleted row."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(
                checked, False, f"event {expected_sequence} is missing", expected_sequence
            )
        if event.previous_hash != previous_hash:
            return ChainReport(
                checked, False, "link to the previous event is broken", event.sequence
            )
        recomputed = event_hash(
            previous_hash=event.previous_hash,
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            actor=event.actor,
            role=event.role,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            data=event.data,
            source=event.source,
        )
        if recomputed != event.hash:
            return ChainReport(checked, False, "event content was changed", event.sequence)
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != checked or head.hash != previous_hash):
        return ChainReport(
            checked, False, "events after the last one present were deleted", checked + 1
        )
    return ChainReport(checked, True)
