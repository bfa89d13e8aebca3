"""Check the submitted applications of a round (or of every round), chunk by chunk.

The scheduled task or the bureau's batch. Each chunk is one transaction: a run that is
stopped part-way keeps the chunks it finished, and running it again checks only what
is still waiting (and asks departments again what they left open).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.audit.services import Actor
from sunshine.schools.models import Round
from sunshine.verification.services import verify_round


class Command(BaseCommand):
    help = "Run verification for the waiting applications of the given rounds (default: all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, action="append", dest="rounds", default=None)
        parser.add_argument("--chunk", type=int, default=500, help="applications per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = Round.objects.order_by("pk")
        if options["rounds"]:
            rounds = rounds.filter(pk__in=options["rounds"])
        for round_ in rounds:
            report = verify_round(Actor.system("verification"), round_, chunk=options["chunk"])
            self.stdout.write(json.dumps({"round": round_.pk, **asdict(report)}))
