"""Where an SMS goes. The console and file backends serve the demo and the tests."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings

from sunshine.notifications.templates_sms import render


class DeliveryFailed(Exception):
    """The provider refused or did not answer; the message stays pending for a retry."""


class SmsBackend(Protocol):
    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
        """Send one message; return the provider's message id."""
        ...


class ConsoleBackend:
    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
        message_id = uuid.uuid4().hex
        print(f"SMS {template_id}: {render(template_id, params)}", file=sys.stderr)
        return message_id


class FileBackend:
    """Appends one JSON line per message; the demo reads it back for its summary."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
        message_id = uuid.uuid4().hex
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"id": message_id, "template_id": template_id, "params": params}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return message_id


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
