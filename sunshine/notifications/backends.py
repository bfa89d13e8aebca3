"""Where an SMS goes. The console and file backends serve the demo and the tests.

Each message carries our reference (``reference``): the provider keeps it with the
message (Aliyun ``OutId``, Tencent Cloud ``SessionContext``), so that after a lost
answer or a lost sender the outbox can ask the provider whether it took the message
(``find``) instead of guessing.
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings

from sunshine.notifications.templates_sms import render


class DeliveryFailed(Exception):
    """The provider refused the message: it was not taken, so it may be sent again later."""


class OutcomeUnknown(Exception):
    """The request may have reached the provider; whether it took the message is not known."""


@dataclass(frozen=True)
class ProviderAnswer:
    """What a provider says about the message sent under one of our references.

    ``accepted`` is True when it took the message, False when it never did, and None
    when it cannot tell (for instance, its records may lag behind what it took).
    """

    accepted: bool | None
    provider_message_id: str = ""


CANNOT_TELL = ProviderAnswer(accepted=None)


class SmsBackend(Protocol):
    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        """Send one message; return the provider's message id."""
        ...


@runtime_checkable
class TraceableBackend(Protocol):
    """A backend that can say whether it took a message, by our reference."""

    def find(self, reference: str, phone: str, since_day: str) -> ProviderAnswer:
        """Look the message up; raise when the provider cannot be asked now.

        ``since_day`` is the day (``YYYY-MM-DD``, China time) the message was claimed.
        """
        ...


class ConsoleBackend:
    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        message_id = uuid.uuid4().hex
        print(f"SMS {template_id}: {render(template_id, params)}", file=sys.stderr)
        return message_id


class FileBackend:
    """Appends one JSON line per message; the demo reads it back for its summary.

    The file is the whole record of what was sent, so it can also say what was not.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        message_id = uuid.uuid4().hex
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"id": message_id, "template_id": template_id, "params": params}
        if reference:
            line["reference"] = reference
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return message_id

    def find(self, reference: str, phone: str, since_day: str) -> ProviderAnswer:
        if not self.path.exists():
            return ProviderAnswer(accepted=False)
        with self.path.open(encoding="utf-8") as lines:
            for text in lines:
                line = json.loads(text)
                if line.get("reference") == reference:
                    return ProviderAnswer(accepted=True, provider_message_id=line["id"])
        return ProviderAnswer(accepted=False)


def configured_backend() -> SmsBackend:
    name = settings.SUNSHINE_SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "file":
        return FileBackend(Path(settings.SUNSHINE_SMS_FILE))
    if name in ("aliyun", "tencent"):
        from sunshine.notifications import providers

        config = providers.ProviderSettings.from_mapping(
            getattr(settings, "SUNSHINE_SMS_PROVIDER", {})
        )
        if name == "aliyun":
            return providers.AliyunBackend(config)
        return providers.TencentBackend(config)
    raise ValueError(f"unknown SMS backend {name!r}")
