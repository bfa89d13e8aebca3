"""The steps of the fault rehearsals in ``deploy/faults/``: seed, act as apps, judge.

Each ``verdict-*`` step prints one JSON line and exits 1 when something was lost or
made twice.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sunshine.operations import faults


class Command(BaseCommand):
    help = "Steps of the fault rehearsals (deploy/faults)."

    def add_arguments(self, parser: CommandParser) -> None:
        steps = parser.add_subparsers(dest="step", required=True)
        apps = steps.add_parser("apps", help="submit every household's application as an app")
        apps.add_argument("--households", type=Path, required=True)
        apps.add_argument("--base-url", required=True)
        apps.add_argument("--out", type=Path, required=True)
        apps.add_argument("--concurrency", type=int, default=8)
        apps.add_argument("--give-up-after", type=float, default=120.0)
        apps.add_argument("--progress", type=Path, default=None, help="a line per household done")
        judged = steps.add_parser("verdict-submissions")
        judged.add_argument("--fault", required=True)
        judged.add_argument("--submissions", type=Path, required=True)
        city = steps.add_parser("seed-applications", help="a small city, every child applied")
        city.add_argument("--children", type=int, default=60)
        city.add_argument("--seed", type=int, default=2024)
        sms = steps.add_parser("verdict-sms")
        sms.add_argument("--fault", required=True)
        sms.add_argument("--provider-log", type=Path, required=True)
        outbox = steps.add_parser("wait-outbox", help="until nothing is pending or being sent")
        outbox.add_argument("--timeout", type=float, default=120.0)
        checks = steps.add_parser("verdict-verification")
        checks.add_argument("--fault", required=True)
        checks.add_argument(
            "--expect-waiting",
            choices=["any", "some", "none"],
            default="any",
            help="whether checks must be waiting for a department (some) or settled (none)",
        )
        control = steps.add_parser("control-departments", help="signed POST /_control")
        control.add_argument("--url", required=True)
        control.add_argument("--json", dest="payload", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        if step == "apps":
            outcomes = faults.run_apps(
                options["base_url"],
                faults.read_households(options["households"]),
                concurrency=options["concurrency"],
                give_up_after=options["give_up_after"],
                progress=options["progress"],
            )
            faults.write_submissions(options["out"], outcomes)
            done = sum(1 for o in outcomes if o.application_id is not None)
            self.stdout.write(f"{done} of {len(outcomes)} applications confirmed")
        elif step == "verdict-submissions":
            outcomes = faults.read_submissions(options["submissions"])
            self._verdict(faults.submissions_verdict(options["fault"], outcomes))
        elif step == "seed-applications":
            self.stdout.write(
                json.dumps(faults.seed_applied_city(options["children"], options["seed"]))
            )
        elif step == "verdict-sms":
            log: Path = options["provider_log"]
            lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
            taken = [json.loads(line)["out_id"] for line in lines if line]
            self._verdict(faults.sms_verdict(options["fault"], taken))
        elif step == "wait-outbox":
            deadline = time.monotonic() + options["timeout"]
            while faults.outbox_open() and time.monotonic() < deadline:
                time.sleep(0.5)
            if faults.outbox_open():
                self.stderr.write(f"{faults.outbox_open()} messages still open")
                sys.exit(1)
        elif step == "verdict-verification":
            verdict = faults.verification_verdict(options["fault"])
            expected = options["expect_waiting"]
            if expected == "some":
                verdict["ok"] = verdict["ok"] and verdict["waiting_for_department"] > 0
            elif expected == "none":
                verdict["ok"] = verdict["ok"] and verdict["waiting_for_department"] == 0
            self._verdict(verdict)
        elif step == "control-departments":
            answer = faults.control_departments(
                options["url"], json.loads(options["payload"]), settings.SUNSHINE_DEPARTMENTS_KEY
            )
            self.stdout.write(answer)

    def _verdict(self, verdict: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(verdict, ensure_ascii=False))
        if not verdict["ok"]:
            sys.exit(1)
