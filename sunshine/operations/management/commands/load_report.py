"""Print a load run's figures as one JSON line, after checking every submission landed once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.operations.load_report import (
    cpu_per_request,
    exactly_once,
    locust_totals,
    served_requests,
    server_counts,
)


class Command(BaseCommand):
    help = "Summarise a locust run; exit non-zero if any application is missing or doubled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stats", type=Path, required=True, help="locust *_stats.csv")
        parser.add_argument("--metrics", type=Path, required=True, help="/metrics snapshot")
        parser.add_argument("--submitted", type=Path, required=True)
        parser.add_argument("--seconds", type=float, required=True, help="run duration")
        parser.add_argument("--workers", type=int, required=True)
        parser.add_argument(
            "--metrics-before", type=Path, help="/metrics snapshot when the run started"
        )
        for side in ("server", "client", "database"):
            parser.add_argument(
                f"--{side}-cpu", type=float, help=f"CPU seconds the {side} used during the run"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        submitted = options["submitted"]
        lines = submitted.read_text(encoding="utf-8").splitlines() if submitted.exists() else []
        check = exactly_once(lines)
        totals = locust_totals(options["stats"])
        metrics_text = options["metrics"].read_text(encoding="utf-8")
        counts = server_counts(metrics_text)
        succeeded = 1 - totals["failures"] / max(totals["requests"], 1)
        figures = {
            **totals,
            **counts,
            # The percentiles include the quick 429 answers (locust failures); this rate not.
            "successful_requests_per_second": round(totals["requests_per_second"] * succeeded, 1),
            **{f"applications_{key}": value for key, value in check.items()},
            "duration_seconds": options["seconds"],
            "web_processes": options["workers"],
        }
        sides = {s: options[f"{s}_cpu"] for s in ("server", "client", "database")}
        if options["metrics_before"] and all(v is not None for v in sides.values()):
            requests = served_requests(metrics_text)
            requests -= served_requests(options["metrics_before"].read_text(encoding="utf-8"))
            figures["requests_served"] = requests
            figures.update(cpu_per_request(sides, requests))
        self.stdout.write(json.dumps(figures, sort_keys=True))
        if check["missing"] or check["duplicated"]:
            raise CommandError("an application was lost or duplicated")
