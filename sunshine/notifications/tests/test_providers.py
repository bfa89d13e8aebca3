"""The Aliyun and Tencent Cloud backends, through their official SDKs, against a local stub.

The stub answers as the providers document (Aliyun Dysmsapi 2017-05-25 and Tencent
Cloud SMS 2021-01-11 ``SendSms``) and records what the SDK sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sunshine.notifications.backends import DeliveryFailed, OutcomeUnknown
from sunshine.notifications.providers import AliyunBackend, ProviderSettings, TencentBackend


class Stub:
    def __init__(self) -> None:
        self.answer: dict[str, Any] = {}
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            parts = urlsplit(self.path)
            form = parse_qs(body) if "form" in (self.headers.get("Content-Type") or "") else {}
            state.requests.append(
                {
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "form": {k: v[0] for k, v in form.items()},
                    "headers": dict(self.headers),
                    "body": body,
                }
            )
            payload = json.dumps(state.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def config(endpoint: str) -> ProviderSettings:
    return ProviderSettings(
        access_key_id="test-id",
        access_key_secret="test-secret",
        sign_name="阳光招生",
        templates={"ADMITTED": "SMS_0001", "LOGIN_CODE": "SMS_0002"},
        endpoint=endpoint,
        protocol="http",
        app_id="1400000000",
        timeouts_seconds=(2, 2),
    )


def test_aliyun_sends_the_template_code_and_named_parameters(stub):
    state, endpoint = stub
    state.answer = {
        "Code": "OK",
        "Message": "OK",
        "BizId": "900619746936498440^0",
        "RequestId": "r",
    }
    backend = AliyunBackend(config(endpoint))
    message_id = backend.send("13800000001", "ADMITTED", {"child": "小明", "school": "一小"})
    assert message_id == "900619746936498440^0"
    request = state.requests[0]
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=test-id,")
    sent = {**request["query"], **request["form"]}
    assert sent["PhoneNumbers"] == "13800000001" and sent["SignName"] == "阳光招生"
    assert sent["TemplateCode"] == "SMS_0001"
    assert json.loads(sent["TemplateParam"]) == {"child": "小明", "school": "一小"}


def test_aliyun_refusal_is_a_delivery_failure_to_retry(stub):
    state, endpoint = stub
    state.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "r"}
    with pytest.raises(DeliveryFailed, match="BUSINESS_LIMIT_CONTROL"):
        AliyunBackend(config(endpoint)).send(
            "13800000001", "ADMITTED", {"child": "a", "school": "b"}
        )


def test_tencent_sends_the_template_id_and_ordered_parameters(stub):
    state, endpoint = stub
    state.answer = {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "2433:12345",
                    "PhoneNumber": "+8613800000001",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "r",
        }
    }
    backend = TencentBackend(config(endpoint))
    message_id = backend.send("13800000001", "ADMITTED", {"school": "一小", "child": "小明"})
    assert message_id == "2433:12345"
    request = state.requests[0]
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256")
    sent = json.loads(request["body"])
    assert sent["PhoneNumberSet"] == ["+8613800000001"] and sent["TemplateId"] == "SMS_0001"
    # The template reads "{child}已被{school}录取": parameters in that order.
    assert sent["TemplateParamSet"] == ["小明", "一小"]
    assert sent["SmsSdkAppId"] == "1400000000"


def test_tencent_refusal_is_a_delivery_failure_to_retry(stub):
    state, endpoint = stub
    state.answer = {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "",
                    "PhoneNumber": "+8613800000001",
                    "Fee": 0,
                    "SessionContext": "",
                    "Code": "LimitExceeded.PhoneNumberDailyLimit",
                    "Message": "daily limit",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "r",
        }
    }
    with pytest.raises(DeliveryFailed, match="PhoneNumberDailyLimit"):
        TencentBackend(config(endpoint)).send("13800000001", "LOGIN_CODE", {"code": "123456"})


def test_a_template_without_a_provider_code_is_refused_before_sending(stub):
    state, endpoint = stub
    with pytest.raises(DeliveryFailed, match="no provider template"):
        AliyunBackend(config(endpoint)).send("13800000001", "UNPLACED", {"child": "a"})
    assert state.requests == []


def test_tencent_finds_a_message_by_our_reference_but_its_absence_proves_nothing(stub):
    state, endpoint = stub
    report = {
        "UserReceiveTime": 1700000000,
        "CountryCode": "86",
        "SubscriberNumber": "13800000001",
        "PhoneNumber": "+8613800000001",
        "SerialNo": "2433:777",
        "ReportStatus": "SUCCESS",
        "Description": "DELIVRD",
        "SessionContext": "sx-ours",
    }
    state.answer = {"Response": {"PullSmsSendStatusSet": [report], "RequestId": "r"}}
    backend = TencentBackend(config(endpoint))
    found = backend.find("sx-ours", "13800000001", "2024-07-20")
    assert found.accepted is True and found.provider_message_id == "2433:777"
    assert json.loads(state.requests[0]["body"])["PhoneNumber"] == "+8613800000001"
    assert backend.find("sx-other", "13800000001", "2024-07-20").accepted is None


def test_aliyun_sends_our_reference_and_a_lost_answer_is_not_a_refusal(stub):
    state, endpoint = stub
    state.answer = {"Code": "OK", "Message": "OK", "BizId": "1^0", "RequestId": "r"}
    AliyunBackend(config(endpoint)).send(
        "13800000001", "ADMITTED", {"child": "小明", "school": "一小"}, reference="sx-ours"
    )
    sent = {**state.requests[0]["query"], **state.requests[0]["form"]}
    assert sent["OutId"] == "sx-ours"
    unreachable = config("127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(OutcomeUnknown):
        AliyunBackend(unreachable).send("13800000001", "ADMITTED", {"child": "a", "school": "b"})
