"""``sunshine fake-sms``: a local stand-in for Aliyun's SMS service, for fault rehearsals."""

from __future__ import annotations

import argparse
from pathlib import Path

from sunshine.commands import serve_until_interrupted


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="sunshine fake-sms",
        description="Answer Aliyun SendSms and QuerySendDetails; misbehave when told to.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701, help="0 takes a free port")
    parser.add_argument("--log", type=Path, default=None, help="append each message taken here")
    args = parser.parse_args(argv)
    from sunshine.notifications import fake_provider as fake

    service = fake.start(fake.FakeSmsProvider(log=args.log), args.host, args.port)
    print(f"fake SMS provider listening on {service.endpoint}", flush=True)
    return serve_until_interrupted(service)
