"""A stand-in for Aliyun's SMS service (Dysmsapi 2017-05-25), for fault rehearsals and tests.

It answers the official SDK's ``SendSms`` and ``QuerySendDetails`` as the provider
documents them, keeps every message it took with our ``OutId``, and can be told
(``POST /_control`` with JSON, loopback only) to misbehave on ``SendSms`` for a number
of requests, after some normal ones:

* ``refuse``: answers ``isv.BUSINESS_LIMIT_CONTROL`` and takes nothing;
* ``fail``: answers HTTP 503 and takes nothing;
* ``fail_after_taking``: takes the message, then answers HTTP 500;
* ``timeout``: takes the message, then stalls past the client's timeout;

and ``"query": "fail"`` makes ``QuerySendDetails`` answer HTTP 503. ``delay_seconds``
slows every answer (``ok`` included), so a sender can be stopped mid-batch.
``GET /_taken`` lists what was taken.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from sunshine.standin import RunningStandIn, StandInServer

CHINA = ZoneInfo("Asia/Shanghai")
SEND_MODES = frozenset({"ok", "refuse", "fail", "fail_after_taking", "timeout"})


@dataclass
class Behaviour:
    mode: str = "ok"
    remaining: int | None = None  # misbehaving answers left; None: until told otherwise
    after: int = 0  # normal answers before the misbehaviour starts
    delay_seconds: float = 0.0  # added to every SendSms answer
    stall_seconds: float = 5.0  # how long ``timeout`` stalls
    query_down: bool = False


@dataclass
class Taken:
    biz_id: str
    phone: str
    template_code: str
    params: str
    out_id: str
    day: str  # YYYYMMDD, China time
    at: str


@dataclass
class FakeSmsProvider:
    log: Path | None = None
    behaviour: Behaviour = field(default_factory=Behaviour)
    taken: list[Taken] = field(default_factory=list)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def control(self, request: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        mode = request.get("mode", "ok")
        if mode not in SEND_MODES:
            return 400, {"error": "unknown_mode"}
        with self._lock:
            self.behaviour = Behaviour(
                mode=mode,
                remaining=request.get("count"),
                after=int(request.get("after", 0)),
                delay_seconds=float(request.get("delay_seconds", 0.0)),
                stall_seconds=float(request.get("stall_seconds", 5.0)),
                query_down=request.get("query") == "fail",
            )
        return 200, {"mode": mode}

    def _misbehaviour(self) -> tuple[str, Behaviour]:
        with self._lock:
            self.requests += 1
            behaviour = self.behaviour
            if behaviour.mode == "ok":
                return "ok", behaviour
            if behaviour.after > 0:
                behaviour.after -= 1
                return "ok", behaviour
            if behaviour.remaining is not None:
                if behaviour.remaining <= 0:
                    return "ok", behaviour
                behaviour.remaining -= 1
            return behaviour.mode, behaviour

    def send_sms(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any], float]:
        """(HTTP status, body, seconds to wait before answering)."""
        mode, behaviour = self._misbehaviour()
        wait = behaviour.delay_seconds
        if mode == "refuse":
            return 200, _error("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控"), wait
        if mode == "fail":
            return 503, _error("ServiceUnavailable", "服务暂不可用"), wait
        taken = self._take(params)
        if mode == "fail_after_taking":
            return 500, _error("InternalError", "内部错误"), wait
        if mode == "timeout":
            wait += behaviour.stall_seconds
        body = {"Code": "OK", "Message": "OK", "BizId": taken.biz_id, "RequestId": taken.biz_id}
        return 200, body, wait

    def _take(self, params: Mapping[str, str]) -> Taken:
        now = dt.datetime.now(CHINA)
        with self._lock:
            taken = Taken(
                biz_id=f"{next(self._ids)}^0",
                phone=params.get("PhoneNumbers", ""),
                template_code=params.get("TemplateCode", ""),
                params=params.get("TemplateParam", ""),
                out_id=params.get("OutId", ""),
                day=now.strftime("%Y%m%d"),
                at=now.strftime("%Y-%m-%d %H:%M:%S"),
            )
            self.taken.append(taken)
            if self.log is not None:
                with self.log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(taken.__dict__, ensure_ascii=False) + "\n")
        return taken

    def query_send_details(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        if self.behaviour.query_down:
            return 503, _error("ServiceUnavailable", "服务暂不可用")
        phone, day = params.get("PhoneNumber", ""), params.get("SendDate", "")
        size = min(int(params.get("PageSize", "10")), 50)
        page = max(int(params.get("CurrentPage", "1")), 1)
        with self._lock:
            matching = [t for t in self.taken if t.phone == phone and t.day == day]
        details = [
            {
                "PhoneNum": t.phone,
                "SendStatus": 3,
                "ErrCode": "DELIVERED",
                "TemplateCode": t.template_code,
                "Content": t.params,
                "SendDate": t.at,
                "ReceiveDate": t.at,
                "OutId": t.out_id,
            }
            for t in matching[(page - 1) * size : page * size]
        ]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "RequestId": "query",
            "TotalCount": len(matching),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
        }


def _error(code: str, message: str) -> dict[str, Any]:
    return {"Code": code, "Message": message, "RequestId": "error"}


class _Handler(BaseHTTPRequestHandler):
    server: StandInServer[FakeSmsProvider]

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/_taken":
            self._answer(200, {"taken": [t.__dict__ for t in self.server.served.taken]})
        else:
            self._answer(200, {"ok": True})

    def do_POST(self) -> None:
        provider = self.server.served
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        if parts.path == "/_control":
            status, answer = provider.control(json.loads(body or "{}"))
            self._answer(status, answer)
            return
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if "form" in (self.headers.get("Content-Type") or ""):
            params.update({k: v[0] for k, v in parse_qs(body).items()})
        action = self.headers.get("x-acs-action") or params.get("Action", "")
        if action == "SendSms":
            status, answer, wait = provider.send_sms(params)
            time.sleep(wait)
        elif action == "QuerySendDetails":
            status, answer = provider.query_send_details(params)
        else:
            status, answer = 400, _error("InvalidAction.NotFound", action)
        self._answer(status, answer)

    def _answer(self, status: int, data: Mapping[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting (a timeout rehearsal)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests carry phone numbers."""


class RunningProvider(RunningStandIn[FakeSmsProvider]):
    @property
    def endpoint(self) -> str:
        """``host:port``, as the SDK's ``endpoint`` setting takes it."""
        return self.host_and_port

    @property
    def provider(self) -> FakeSmsProvider:
        return self.served


def start(provider: FakeSmsProvider, host: str = "127.0.0.1", port: int = 0) -> RunningProvider:
    """Serve on a background thread; port 0 takes a free port."""
    return RunningProvider(_Handler, provider, host, port, "fake-sms")
