"""``sunshine lottery``: draw, verify and RFC 3797 selections from the command line.

Examples::

    sunshine lottery draw --entries entries.csv --lottery tc-dlt:25001="03 11 19 27 33 + 04 12" \\
        --onsite notary --out record.json
    sunshine lottery verify record.json
    sunshine lottery rfc3797 --pool-size 25 --select 10 --source 9319 --source "2 5 12 8 10"
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from sunshine.engine.lottery import rfc3797
from sunshine.engine.lottery.drand import DrandRound, DrandVerificationError, drand_source
from sunshine.engine.lottery.draw import ALGORITHM
from sunshine.engine.lottery.record import build_record, record_hash, verify_record
from sunshine.engine.lottery.sources import (
    KIND_OTHER,
    Source,
    TwoPersonMismatch,
    lottery_source,
    onsite_source,
)

ALGORITHM_CHOICES = {"sunshine": ALGORITHM, "rfc3797": rfc3797.ALGORITHM}


class CommandError(Exception):
    """Bad input on the command line: printed without a traceback, exit status 2."""


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(list(argv))
    try:
        result: int = args.handler(args)
    except CommandError as error:
        print(f"sunshine lottery: {error}", file=sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sunshine lottery", description="Draw and verify public lotteries."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    draw = commands.add_parser("draw", help="draw and write a sealed record")
    draw.add_argument("--entries", required=True, type=Path, help="CSV with an 'entry' column")
    draw.add_argument("--column", default="entry", help="entry column name (default: entry)")
    draw.add_argument("--source", action="append", default=[], metavar="NAME=VALUE")
    draw.add_argument(
        "--lottery",
        action="append",
        default=[],
        metavar="GAME:DRAW=NUMBERS",
        help="a public lottery result, e.g. fc-ssq:2025001='1 5 9 14 22 30 + 7'",
    )
    draw.add_argument(
        "--drand",
        action="append",
        default=[],
        metavar="CHAIN:ROUND:SIGNATURE[:PREVIOUS]",
        help="a drand round, verified against the chain's public key",
    )
    draw.add_argument(
        "--onsite",
        action="append",
        default=[],
        metavar="LABEL",
        help="a number typed on site by two people; prompts for both entries",
    )
    draw.add_argument("--algorithm", choices=sorted(ALGORITHM_CHOICES), default="sunshine")
    draw.add_argument("--draw-id", help="identifier of this draw (default: the output name)")
    draw.add_argument("--title", default="")
    draw.add_argument("--code-version", default=None)
    draw.add_argument("--supersedes", type=Path, help="record this draw replaces")
    draw.add_argument("--reason", help="why the superseded draw is replaced")
    draw.add_argument("--out", required=True, type=Path)
    draw.set_defaults(handler=_draw)

    verify = commands.add_parser("verify", help="recompute a record; exit 1 on a difference")
    verify.add_argument("record", type=Path)
    verify.add_argument(
        "--no-drand-signatures", action="store_true", help="skip the BLS signature check"
    )
    verify.set_defaults(handler=_verify)

    select = commands.add_parser("rfc3797", help="RFC 3797 selection; prints 1-based positions")
    select.add_argument("--pool-size", required=True, type=int)
    select.add_argument("--select", required=True, type=int)
    select.add_argument("--source", action="append", required=True, metavar="NUMBERS")
    select.add_argument("--show-key", action="store_true", help="print the key string to stderr")
    select.set_defaults(handler=_rfc3797)
    return parser


def read_entries(path: Path, column: str = "entry") -> list[str]:
    """Entry codes from a CSV file whose header names ``column``; blank rows are skipped."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    if not rows or column not in rows[0]:
        raise CommandError(f"{path} must start with a header row naming a {column!r} column")
    index = rows[0].index(column)
    entries: list[str] = []
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if index >= len(row) or not row[index].strip():
            raise CommandError(f"{path} line {line_number}: the {column!r} cell is empty")
        entries.append(row[index].strip())
    return entries


def _split_assignment(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise CommandError(f"{option} expects NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _sources(args: argparse.Namespace) -> list[Source]:
    sources: list[Source] = []
    try:
        for text in args.lottery:
            name, numbers = _split_assignment(text, "--lottery")
            game, sep, draw_number = name.partition(":")
            if not sep:
                raise CommandError(f"--lottery expects GAME:DRAW=NUMBERS, got {text!r}")
            sources.append(lottery_source(game, draw_number, numbers))
        for text in args.drand:
            sources.append(drand_source(_drand_round(text)))
        for label in args.onsite:
            first = _prompt(f"{label}: first person's entry / 第一人录入: ")
            second = _prompt(f"{label}: second person's entry / 第二人录入: ")
            sources.append(onsite_source(label, first, second))
        for text in args.source:
            name, value = _split_assignment(text, "--source")
            sources.append(Source(name=name, kind=KIND_OTHER, value=value))
    except (TwoPersonMismatch, DrandVerificationError, ValueError) as error:
        raise CommandError(str(error)) from error
    if not sources:
        raise CommandError("give at least one source (--lottery, --drand, --onsite or --source)")
    return sources


def _drand_round(text: str) -> DrandRound:
    parts = text.split(":")
    if len(parts) not in (3, 4) or not parts[1].isdigit():
        raise CommandError(f"--drand expects CHAIN:ROUND:SIGNATURE[:PREVIOUS], got {text!r}")
    previous = parts[3].lower() if len(parts) == 4 else ""
    return DrandRound(parts[0], int(parts[1]), parts[2].lower(), previous)


def _prompt(message: str) -> str:
    print(message, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise CommandError("input ended before both entries were typed")
    return line.rstrip("\n")


def _code_version() -> str:
    try:
        return f"sunshine-enrollment {metadata.version('sunshine-enrollment')}"
    except metadata.PackageNotFoundError:
        return "sunshine-enrollment (unpackaged)"


def _load_record(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise CommandError(f"{path} does not hold a record object")
    return data


def _draw(args: argparse.Namespace) -> int:
    entries = read_entries(args.entries, args.column)
    sources = _sources(args)
    supersedes = None
    if args.supersedes is not None:
        previous = _load_record(args.supersedes)
        supersedes = previous.get("record_sha256")
        if not isinstance(supersedes, str) or record_hash(previous) != supersedes:
            raise CommandError(f"{args.supersedes} does not match its own record_sha256")
    try:
        record = build_record(
            entries,
            sources,
            draw_id=args.draw_id or args.out.stem,
            code_version=args.code_version or _code_version(),
            title=args.title,
            algorithm=ALGORITHM_CHOICES[args.algorithm],
            supersedes=supersedes,
            reason=args.reason,
        )
    except ValueError as error:
        raise CommandError(str(error)) from error
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"entries            {record['entry_count']}")
    print(f"entry list SHA-256 {record['entry_list_sha256']}")
    for source in record["sources"]:
        print(f"source             {source['name']} = {source['value']}")
    print(f"seed               {record['seed']}")
    print(f"algorithm          {record['algorithm']}")
    for number, entry in enumerate(record["order"][:10], start=1):
        print(f"  {number:>6}  {entry}")
    if record["entry_count"] > 10:
        print(f"  … {record['entry_count'] - 10} more in {args.out}")
    print(f"record SHA-256     {record['record_sha256']}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    record = _load_record(args.record)
    result = verify_record(record, check_drand_signatures=not args.no_drand_signatures)
    print(result)
    return 0 if result.ok else 1


def _rfc3797(args: argparse.Namespace) -> int:
    try:
        key = rfc3797.key_string([rfc3797.parse_source(text) for text in args.source])
        positions = rfc3797.select(args.pool_size, args.select, key)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.show_key:
        print(f"key string: {key}", file=sys.stderr)
    for position in positions:
        print(position)
    return 0
