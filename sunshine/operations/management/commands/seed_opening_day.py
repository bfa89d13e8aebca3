"""Seed an opening-day city for the load test and write the parents' credentials file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.operations.opening_day import seed


class Command(BaseCommand):
    help = "Load the demo city with registration open now; write one line per parent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        households = seed(options["children"], options["seed"])
        out: Path = options["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        # The file holds live access tokens: readable by this user only.
        out.touch(mode=0o600)
        out.write_text(
            "".join(json.dumps(asdict(h), ensure_ascii=False) + "\n" for h in households),
            encoding="utf-8",
        )
        self.stdout.write(f"{len(households)} parents ready in {out}")
