"""Print a demo staff account's current authenticator code (refused outside DEBUG).

The demo's staff accounts need a second factor like any other; this stands in
for the authenticator app on a newcomer's phone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo codes exist only in the demo (DEBUG on)")
        device = TOTPDevice.objects.filter(user__username=options["username"]).first()
        if device is None:
            raise CommandError(f"{options['username']} has no authenticator")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}  (changes every {device.step} s)")
