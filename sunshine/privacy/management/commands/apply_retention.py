"""``sunshine manage apply_retention --term YEAR [--dry-run]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sunshine.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Erase the personal data of a term whose retention period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--term", type=int, required=True, help="enrollment year")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be erased, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = apply_retention(
                options["term"], today=timezone.localdate(), dry_run=options["dry_run"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
