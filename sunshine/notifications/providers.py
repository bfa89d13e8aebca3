"""Aliyun and Tencent Cloud SMS through their official SDKs (an optional extra).

Chinese SMS providers send only pre-approved templates: each platform
template id maps to the provider's template code, with the parameters by name
(Aliyun, ``TemplateParam`` as JSON) or in the template's order (Tencent Cloud,
``TemplateParamSet``). A provider's refusal raises ``DeliveryFailed`` (nothing
was sent, so the outbox retries later); a lost answer propagates, and the
outbox never resends a message whose fate is unknown.

References: Aliyun Dysmsapi 2017-05-25 ``SendSms``; Tencent Cloud SMS API
2021-01-11 ``SendSms``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sunshine.notifications.backends import DeliveryFailed
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

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
        from alibabacloud_dysmsapi20170525 import models
        from Tea.exceptions import TeaException

        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.config.sign_name,
            template_code=self.config.template_code(template_id),
            template_param=json.dumps(params, ensure_ascii=False),
        )
        try:
            body = self.client.send_sms(request).body
        except TeaException as error:
            # The service answered with an error: it did not take the message.
            raise DeliveryFailed(f"{error.code}: {error.message}") from None
        if body.code != "OK":
            raise DeliveryFailed(f"{body.code}: {body.message}")
        return str(body.biz_id)


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

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
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
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            if error.code == "ClientNetworkError":
                raise  # the request may have reached the provider: outcome unknown
            raise DeliveryFailed(f"{error.code}: {error.message}") from None
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise DeliveryFailed(f"{status.Code}: {status.Message}")
        return str(status.SerialNo)
