"""The ``sunshine`` command line.

Each sub-command lives in its own module and is imported only when it is
called, so ``sunshine lottery verify`` starts without loading Django.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("sunshine.commands.demo", "run a whole enrollment year on a synthetic city"),
    "engine": ("sunshine.commands.engine", "solve an admission from published files"),
    "lottery": ("sunshine.commands.lottery", "draw and verify public lotteries"),
    "audit": ("sunshine.commands.audit", "verify the hash-chained audit log"),
    "bench": ("sunshine.commands.bench", "measure speed and memory"),
    "manage": ("sunshine.commands.manage", "Django's management commands"),
    "fake-departments": ("sunshine.commands.fake_departments", "stand-in department service"),
    "fake-sms": ("sunshine.commands.fake_sms", "stand-in SMS provider (Aliyun's interface)"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: sunshine COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<{width}}  {about}" for name, (_, about) in COMMANDS.items()]
    lines += ["", "'sunshine COMMAND --help' describes one command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"sunshine: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    result: int = module.main(rest)
    return result


if __name__ == "__main__":
    sys.exit(main())
