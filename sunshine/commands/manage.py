"""``sunshine manage …`` is ``manage.py …`` from anywhere."""

from __future__ import annotations

import os


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sunshine manage", *argv])
    return 0
