"""``sunshine manage enroll_totp USERNAME``: give a staff account its authenticator secret."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.accounts.models import User
from sunshine.accounts.staff_login import enroll_totp, needs_second_factor
from sunshine.audit.services import Actor


class Command(BaseCommand):
    help = "Create (or replace) a staff account's TOTP secret and print it for the authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--operator", required=True, help="who hands the secret over")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['username']}")
        if not needs_second_factor(user):
            raise CommandError("只有工作人员账户使用身份验证器")
        device = enroll_totp(Actor(options["operator"], "operator", "enroll_totp"), user)
        # Shown once, to be scanned or typed into the authenticator app; never logged.
        self.stdout.write(device.config_url)
