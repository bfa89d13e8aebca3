"""Send the SMS that are due, once or every few seconds (for a worker or a timer)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.audit.services import Actor
from sunshine.notifications.services import send_pending


class Command(BaseCommand):
    help = "Send due SMS from the outbox; safe to run in several processes at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")
        parser.add_argument("--prefix", default=None, help="only events whose key starts so")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = send_pending(Actor.system("send_sms"), prefix=options["prefix"])
            self.stdout.write(
                f"sent {report.sent}, failed {report.failed}, deferred {report.deferred}, "
                f"pending {report.pending}"
            )
            if not options["every"]:
                return
            time.sleep(options["every"])
