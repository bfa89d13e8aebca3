"""Writes made from the console itself: the audit record of each personal-data export."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from sunshine.audit.services import Actor, record


def record_export(
    actor: Actor, *, kind: str, fmt: str, reason: str, rows: int, scope: str, content: bytes
) -> None:
    """Log an export of personal data with its reason, before the file leaves the server."""
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": "导出个人信息须填写原因（至少4个字）"})
    with transaction.atomic():
        record(
            actor,
            "export.personal_data",
            kind=kind,
            format=fmt,
            reason=reason.strip(),
            rows=rows,
            scope=scope,
            sha256=hashlib.sha256(content).hexdigest(),
        )
