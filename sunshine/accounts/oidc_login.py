"""Parents log in with the province's unified identity (OpenID Connect).

The identity provider vouches for a person (issuer + subject) and, in the
``phone`` scope, a verified phone number (OpenID Connect Core 1.0 §5.1,
``phone_number`` and ``phone_number_verified``). The first log-in ties the
identity to the parent account of that phone, the one an SMS log-in reaches,
so both ways lead to the same children.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.accounts.models import ExternalIdentity, Role
from sunshine.accounts.sms_login import LoggedIn, client_index, parent_for_phone
from sunshine.applications.services import validated_phone
from sunshine.audit.services import Actor, record


def _verified_phone(claims: Mapping[str, Any]) -> str:
    raw = str(claims.get("phone_number") or "")
    if not raw or claims.get("phone_number_verified") is not True:
        raise ValidationError(
            {"phone": _("统一身份认证没有提供已验证的手机号，请使用短信验证码登录")}
        )
    digits = raw.replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return validated_phone(digits, "phone")


def log_in_with_identity(
    issuer: str,
    claims: Mapping[str, Any],
    client_address: str,
    *,
    now: dt.datetime | None = None,
) -> LoggedIn:
    """The parent account for a verified identity; created or linked on first use."""
    now = now or timezone.now()
    subject = str(claims.get("sub") or "")
    if not issuer or not subject or len(subject) > 255:
        raise ValidationError({"sub": _("统一身份认证的应答不完整，请重试")})
    source = client_index(client_address)
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            user = identity.user
            if user.role != Role.PARENT or not user.is_active:
                raise ValidationError({"phone": _("该账号不能在家长端登录")})
            if not user.phone:
                raise ValidationError({"phone": _("该账号没有手机号，请使用短信验证码登录")})
            logged_in = parent_for_phone(str(user.phone), now, source=source, via="oidc")
            identity.last_login_at = now
            identity.save(update_fields=["last_login_at"])
            return logged_in
        logged_in = parent_for_phone(_verified_phone(claims), now, source=source, via="oidc")
        identity = ExternalIdentity.objects.create(
            issuer=issuer, subject=subject, user=logged_in.user, created_at=now, last_login_at=now
        )
        record(
            Actor(logged_in.user.get_username(), Role.PARENT, source),
            "account.identity_linked",
            identity,
            issuer=issuer,
        )
    return logged_in
