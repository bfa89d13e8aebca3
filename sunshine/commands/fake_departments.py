"""``sunshine fake-departments``: a local stand-in for the departments' online interface."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from sunshine.commands import serve_until_interrupted


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine fake-departments",
        description="Answer signed department queries from the database or a synthetic city.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700, help="0 takes a free port")
    parser.add_argument(
        "--key",
        default=None,
        help="signing key 'id:base64' (default: SUNSHINE_DEPARTMENTS_KEY from the settings)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--database", action="store_true", help="answer from the imported records (the default)"
    )
    source.add_argument(
        "--city-children", type=int, help="answer from a synthetic city of this many children"
    )
    parser.add_argument("--seed", type=int, default=2024, help="seed of the synthetic city")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from sunshine.verification import fake_departments as fake
    from sunshine.verification.signing import SigningKey

    try:
        key = SigningKey.parse(args.key or settings.SUNSHINE_DEPARTMENTS_KEY)
    except ValueError as error:
        print(f"sunshine fake-departments: {error}", file=sys.stderr)
        return 2
    after_request = None
    if args.city_children is not None:
        lookup = _city_lookup(args.city_children, args.seed)
    else:
        lookup = fake.database_lookup
        # Each request runs on its own thread with its own connection; close it after.
        after_request = connections.close_all
    app = fake.FakeDepartments(lookup, [key], after_request=after_request)
    service = fake.start(app, args.host, args.port)
    print(f"fake departments listening on {service.url}", flush=True)
    return serve_until_interrupted(service)


def _city_lookup(children: int, seed: int) -> Any:
    from sunshine.demo.city import generate_city
    from sunshine.verification import fake_departments as fake

    return fake.city_lookup(generate_city(children=children, seed=seed).records)
