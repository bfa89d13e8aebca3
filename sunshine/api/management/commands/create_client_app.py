"""Register a client app of the API and print its key, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sunshine.api.tokens import create_client_app
from sunshine.audit.services import Actor


class Command(BaseCommand):
    help = "Register an API client app (the province's app, a WeChat mini-program); prints its key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the client app, e.g. wechat-miniprogram")

    def handle(self, *args: Any, **options: Any) -> None:
        client, key = create_client_app(Actor.system("create_client_app"), options["name"])
        self.stdout.write(f"client app {client.name!r} created; its key (shown only now):")
        self.stdout.write(key)
