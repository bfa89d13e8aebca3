"""Aliyun and Tencent Cloud SMS through their official SDKs (an optional extra).

Chinese SMS providers send only pre-approved templates: each platform
template id maps to the provider's template code, with the parameters by name
(Aliyun, ``TemplateParam`` as JSON) or in the template's order (Tencent Cloud,
``TemplateParamSet``). A provider's refusal raises ``DeliveryFailed`` (nothing
was sent, so the outbox retries later). A lost answer, a network error or a
server error (5xx) raises ``OutcomeUnknown``: the provider may have taken the
message, so the outbox asks it (``find``, by the reference sent as Aliyun
``OutId`` or Tencent ``SessionContext``) before it sends the message again.

References: Aliyun Dysmsapi 2017-05-25 ``SendSms`` and ``QuerySendDetails``;
Tencent Cloud SMS API 2021-01-11 ``SendSms`` and ``PullSmsSendStatusByPhoneNumber``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sunshine.notifications.backends import (
    CANNOT_TELL,
    DeliveryFailed,
    OutcomeUnknown,
    ProviderAnswer,
)
from sunshine.notifications.templates_sms import parameter_names


@dataclass(frozen=True)
class ProviderSettings:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: Mapping[str, str]  # platform template id -> provider template code
    endpoint: str = ""
    protocol: str = "https"
    app_id: str = ""  # Tencent Cloud SmsSdkAppId
    region: str = "ap-guangzhou"
    timeouts_seconds: tuple[int, int] = field(default=(5, 10))  # connect, read

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ProviderSettings:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__ and v}
        return cls(**known)

    def template_code(self, template_id: str) -> str:
        try:
            return self.templates[template_id]
        except KeyError:
            raise DeliveryFailed(f"no provider template for {template_id}") from None


class AliyunBackend:
    """Aliyun (Alibaba Cloud) Short Message Service, ``alibabacloud_dysmsapi20170525``."""

    def __init__(self, config: ProviderSettings) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as open_api

        self.config = config
        connect, read = config.timeouts_seconds
        self.client = Client(
            open_api.Config(
                access_key_id=config.access_key_id,
                access_key_secret=config.access_key_secret,
                endpoint=config.endpoint or "dysmsapi.aliyuncs.com",
                protocol=config.protocol,
                connect_timeout=connect * 1000,
                read_timeout=read * 1000,
            )
        )

    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.config.sign_name,
            template_code=self.config.template_code(template_id),
            template_param=json.dumps(params, ensure_ascii=False),
            out_id=reference or None,
        )
        with _aliyun_errors():
            body = self.client.send_sms(request).body
        if body.code != "OK":
            raise DeliveryFailed(f"{body.code}: {body.message}")
        return str(body.biz_id)

    def find(self, reference: str, phone: str, since_day: str) -> ProviderAnswer:
        """Look through what the provider took for this phone each day since ``since_day``.

        QuerySendDetails lists every message the provider took, from the moment it
        took it (waiting for a receipt, delivered or not), with our ``OutId``.
        """
        from alibabacloud_dysmsapi20170525 import models

        for day in _days_since(since_day):
            page = 1
            while True:
                request = models.QuerySendDetailsRequest(
                    phone_number=phone, send_date=day, page_size=50, current_page=page
                )
                with _aliyun_errors():
                    body = self.client.query_send_details(request).body
                if body.code != "OK":
                    raise OutcomeUnknown(f"{body.code}: {body.message}")
                found = (
                    body.sms_send_detail_dtos.sms_send_detail_dto
                    if body.sms_send_detail_dtos
                    else []
                )
                if any(detail.out_id == reference for detail in found):
                    return ProviderAnswer(accepted=True)
                if not found or page * 50 >= int(body.total_count or 0):
                    break
                page += 1
        return ProviderAnswer(accepted=False)


@contextlib.contextmanager
def _aliyun_errors() -> Iterator[None]:
    """Sort the SDK's exceptions: a refusal, or an outcome nobody knows."""
    from alibabacloud_tea_openapi.exceptions import ServerException
    from Tea.exceptions import TeaException, UnretryableException

    try:
        yield
    except (ServerException, UnretryableException) as error:
        # A 5xx, a timeout or a dropped connection: the message may have been taken.
        raise OutcomeUnknown(f"{getattr(error, 'code', '') or 'network'}: {error}") from None
    except TeaException as error:
        # The service answered with an error (4xx, throttling): it did not take it.
        raise DeliveryFailed(f"{error.code}: {error.message}") from None


def _days_since(since_day: str) -> Iterator[str]:
    """``YYYYMMDD`` from ``since_day`` to today in China, at most three days."""
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    day = dt.date.fromisoformat(since_day)
    for _ in range(3):
        if day > today:
            return
        yield day.strftime("%Y%m%d")
        day += dt.timedelta(days=1)


class TencentBackend:
    """Tencent Cloud SMS, ``tencentcloud-sdk-python-sms`` (API 2021-01-11)."""

    def __init__(self, config: ProviderSettings) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        self.config = config
        http = HttpProfile(
            protocol=config.protocol,
            endpoint=config.endpoint or "sms.tencentcloudapi.com",
            reqTimeout=sum(config.timeouts_seconds),
        )
        self.client = sms_client.SmsClient(
            credential.Credential(config.access_key_id, config.access_key_secret),
            config.region,
            ClientProfile(httpProfile=http),
        )

    def send(
        self, phone: str, template_id: str, params: dict[str, str], reference: str = ""
    ) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self.config.app_id
        request.SignName = self.config.sign_name
        request.TemplateId = self.config.template_code(template_id)
        request.TemplateParamSet = [params[name] for name in parameter_names(template_id)]
        if reference:
            request.SessionContext = reference
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            if error.code == "ClientNetworkError" or (error.code or "").startswith("InternalError"):
                # The request may have reached the provider: outcome unknown.
                raise OutcomeUnknown(f"{error.code}: {error.message}") from None
            raise DeliveryFailed(f"{error.code}: {error.message}") from None
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise DeliveryFailed(f"{status.Code}: {status.Message}")
        return str(status.SerialNo)

    def find(self, reference: str, phone: str, since_day: str) -> ProviderAnswer:
        """Found in the delivery reports, or no answer: a report may still be on its way,
        so a message missing from them is not proof that it was never taken."""
        from zoneinfo import ZoneInfo

        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        start = dt.datetime.combine(
            dt.date.fromisoformat(since_day), dt.time(), tzinfo=ZoneInfo("Asia/Shanghai")
        )
        request = models.PullSmsSendStatusByPhoneNumberRequest()
        request.BeginTime = int(start.timestamp())
        request.EndTime = int(dt.datetime.now(dt.UTC).timestamp())
        request.Offset = 0
        request.Limit = 100
        request.PhoneNumber = f"+86{phone}"
        request.SmsSdkAppId = self.config.app_id
        try:
            response = self.client.PullSmsSendStatusByPhoneNumber(request)
        except TencentCloudSDKException as error:
            raise OutcomeUnknown(f"{error.code}: {error.message}") from None
        for status in response.PullSmsSendStatusSet or []:
            if status.SessionContext == reference:
                return ProviderAnswer(accepted=True, provider_message_id=str(status.SerialNo))
        return CANNOT_TELL
