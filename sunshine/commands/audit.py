"""``sunshine audit verify``: recompute the audit chain and name the first broken event."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sunshine audit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help="check that no event was changed, inserted or deleted")
    parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    import django

    django.setup()
    from sunshine.audit.selectors import verify_chain

    report = verify_chain()
    if report.ok:
        print(f"audit chain intact: {report.events_checked} events")
        return 0
    print(f"audit chain broken at event {report.sequence}: {report.problem}")
    return 1
