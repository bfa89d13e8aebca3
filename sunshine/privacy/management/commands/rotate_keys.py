"""Re-encrypt personal data under the first key of SUNSHINE_FIELD_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.audit.services import Actor
from sunshine.privacy.rotation import rotate


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate(Actor.system("rotate_keys"), batch_size=options["batch_size"])
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(f"total: {sum(counts.values())}")
