"""``sunshine demo``: a fresh database, a synthetic city, the whole year, a summary, a server."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine demo",
        description="Run a whole enrollment year on a synthetic city, then serve the web app.",
    )
    parser.add_argument("--children", type=int, default=10_000, help="children in the city")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the synthetic city")
    parser.add_argument("--no-serve", action="store_true", help="stop after the summary")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--flush",
        action="store_true",
        help="empty the database named by DATABASE_URL first (needed when it is not SQLite)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.children < 10:
        print("sunshine demo: --children must be at least 10", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    os.environ.setdefault("SUNSHINE_SMS_BACKEND", "file")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        print(
            "sunshine demo: refusing to run with DEBUG off (a production set-up)", file=sys.stderr
        )
        return 2
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        _remove_sqlite(Path(database["NAME"]))
    elif not args.flush:
        print(
            "sunshine demo: DATABASE_URL is not SQLite; pass --flush to empty it first",
            file=sys.stderr,
        )
        return 2
    sms_file = Path(settings.SUNSHINE_SMS_FILE)
    sms_file.unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if args.flush:
        call_command("flush", verbosity=0, interactive=False)

    from sunshine.demo.year import DEMO_PASSWORD, run_year

    report = run_year(args.children, args.seed, progress=not args.quiet)
    print()
    print("\n".join(report.lines))
    print(f"SMS written to {sms_file.name} in {sms_file.parent.name}/")
    if args.no_serve:
        return 0
    print()
    print(f"Web app: http://127.0.0.1:{args.port}/  (Ctrl-C stops it)")
    print(f"Demo log-ins (staff at /accounts/login/, password {DEMO_PASSWORD}):")
    for username, who in report.logins:
        print(f"  {username:<11} {who}")
    print("Staff also type an authenticator code: `sunshine manage demo_code USERNAME` shows it.")
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False)
    return 0


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
