"""Parents log in with their phone number and a one-time SMS code.

Codes live five minutes and are stored only as a keyed hash (HMAC with the
site's secret key and a per-code salt), so a copy of the database reveals no
code. Requests are limited per phone and per client address, wrong codes per
code and per phone; each limit answers with how long to wait. A successful
log-in finds or creates the parent's account and links the guardians declared
with that phone number (matched by the phone's blind index).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from sunshine.accounts.models import CodeDelivery, LoginCode, LoginPhone, Role, User
from sunshine.applications.models import Guardian
from sunshine.applications.services import phone_index, validated_phone
from sunshine.audit.services import Actor, record
from sunshine.notifications.backends import DeliveryFailed, SmsBackend, configured_backend
from sunshine.privacy.crypto import blind_index
from sunshine.privacy.masking import mask_phone

CODE_DIGITS = 6
_HASH_SALT = "sunshine.accounts.sms_login"


@dataclass(frozen=True)
class Limits:
    """How often codes may be asked for and tried. Settings may override each."""

    code_lifetime: dt.timedelta = dt.timedelta(minutes=5)
    resend_after: dt.timedelta = dt.timedelta(seconds=60)
    codes_per_phone_per_hour: int = 5
    codes_per_client_per_window: int = 30
    client_window: dt.timedelta = dt.timedelta(minutes=10)
    wrong_codes_per_code: int = 5
    wrong_codes_per_phone_per_hour: int = 10


def limits() -> Limits:
    overrides = getattr(settings, "SUNSHINE_SMS_LOGIN_LIMITS", {})
    return Limits(**overrides)


class RateLimited(ValidationError):
    """Too many requests; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, field: str, message: str, retry_after: int) -> None:
        super().__init__({field: message})
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class CodeSent:
    masked_phone: str
    expires_at: dt.datetime
    resend_after_seconds: int


def lock_phone(key: str) -> None:
    """Serialise everything about one phone (codes, limits, account creation)."""
    LoginPhone.objects.bulk_create([LoginPhone(phone_index=key)], ignore_conflicts=True)
    LoginPhone.objects.select_for_update().get(phone_index=key)


def client_index(address: str) -> str:
    """A keyed hash of the client address: limits work without storing addresses."""
    return blind_index(address or "unknown", "client-address")


def _code_hash(phone_key: str, code: str, salt: str) -> str:
    return salted_hmac(_HASH_SALT, f"{phone_key}:{salt}:{code}", algorithm="sha256").hexdigest()


def _wait(until: dt.datetime, now: dt.datetime) -> int:
    return int((until - now).total_seconds()) + 1


def request_code(
    phone: str,
    client_address: str,
    *,
    now: dt.datetime | None = None,
    backend: SmsBackend | None = None,
) -> CodeSent:
    """Send a fresh code to ``phone``; raise RateLimited or ValidationError naming the field."""
    now = now or timezone.now()
    number = validated_phone(phone, "phone")
    key, client = phone_index(number), client_index(client_address)
    rules = limits()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        lock_phone(key)
        _check_request_limits(key, client, now, rules)
        salt = secrets.token_hex(16)
        login_code = LoginCode.objects.create(
            phone_index=key,
            client_index=client,
            salt=salt,
            code_hash=_code_hash(key, code, salt),
            created_at=now,
            expires_at=now + rules.code_lifetime,
        )
        record(Actor("sms-login", "parent"), "account.login_code_issued", login_code)
    # Sent after the commit, so a slow provider holds no lock.
    _deliver(login_code, number, code, backend or configured_backend())
    return CodeSent(
        masked_phone=mask_phone(number),
        expires_at=login_code.expires_at,
        resend_after_seconds=int(rules.resend_after.total_seconds()),
    )


def _check_request_limits(key: str, client: str, now: dt.datetime, rules: Limits) -> None:
    mine = LoginCode.objects.filter(phone_index=key)
    latest = mine.order_by("-created_at").first()
    if latest is not None and latest.created_at > now - rules.resend_after:
        raise RateLimited(
            "phone",
            _("验证码已发送，请稍后再重新获取"),
            _wait(latest.created_at + rules.resend_after, now),
        )
    hour = mine.filter(created_at__gt=now - dt.timedelta(hours=1)).order_by("created_at")
    if hour.count() >= rules.codes_per_phone_per_hour:
        oldest = hour.first()
        assert oldest is not None
        raise RateLimited(
            "phone",
            _("该手机号获取验证码过于频繁，请一小时后再试"),
            _wait(oldest.created_at + dt.timedelta(hours=1), now),
        )
    from_client = LoginCode.objects.filter(
        client_index=client, created_at__gt=now - rules.client_window
    ).order_by("created_at")
    if from_client.count() >= rules.codes_per_client_per_window:
        oldest = from_client.first()
        assert oldest is not None
        raise RateLimited(
            "phone",
            _("当前网络获取验证码过于频繁，请稍后再试"),
            _wait(oldest.created_at + rules.client_window, now),
        )


def _deliver(login_code: LoginCode, phone: str, code: str, backend: SmsBackend) -> None:
    try:
        message_id = backend.send(phone, "LOGIN_CODE", {"code": code})
    except DeliveryFailed:
        LoginCode.objects.filter(pk=login_code.pk).update(delivery=CodeDelivery.FAILED)
        raise ValidationError({"phone": _("短信发送失败，请稍后重试")}) from None
    LoginCode.objects.filter(pk=login_code.pk).update(
        delivery=CodeDelivery.SENT, provider_message_id=message_id[:64]
    )


@dataclass(frozen=True)
class LoggedIn:
    user: User
    created: bool
    guardians_linked: int


def verify_code(
    phone: str, code: str, client_address: str, *, now: dt.datetime | None = None
) -> LoggedIn:
    """Check the code; on success return the parent's account (created on first log-in)."""
    now = now or timezone.now()
    number = validated_phone(phone, "phone")
    typed = code.strip()
    if not (typed.isdigit() and len(typed) == CODE_DIGITS):
        raise ValidationError({"code": _("请输入短信中的6位数字验证码")})
    key = phone_index(number)
    rules = limits()
    with transaction.atomic():
        lock_phone(key)
        problem = _code_problem(key, typed, now, rules)
        if problem is None:
            source = client_index(client_address)
            outcome = parent_for_phone(number, now, source=source, via="sms")
    # Raised after the commit: a wrong code must stay counted.
    if problem is not None:
        raise problem
    return outcome


def _code_problem(key: str, typed: str, now: dt.datetime, rules: Limits) -> ValidationError | None:
    recent = LoginCode.objects.filter(phone_index=key, created_at__gt=now - dt.timedelta(hours=1))
    wrong = recent.aggregate(n=Sum("failed_attempts"))["n"] or 0
    if wrong >= rules.wrong_codes_per_phone_per_hour:
        first = recent.order_by("created_at").first()
        assert first is not None
        return RateLimited(
            "code",
            _("验证码错误次数过多，请一小时后再试"),
            _wait(first.created_at + dt.timedelta(hours=1), now),
        )
    current = (
        LoginCode.objects.select_for_update()
        .filter(phone_index=key, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if current is None:
        return ValidationError({"code": _("验证码已失效，请重新获取")})
    if current.failed_attempts >= rules.wrong_codes_per_code:
        return ValidationError({"code": _("验证码错误次数过多，请重新获取")})
    if not constant_time_compare(current.code_hash, _code_hash(key, typed, current.salt)):
        current.failed_attempts += 1
        current.save(update_fields=["failed_attempts"])
        record(Actor("sms-login", "parent"), "account.login_code_rejected", current)
        return ValidationError({"code": _("验证码不正确")})
    current.used_at = now
    current.save(update_fields=["used_at"])
    return None


def parent_for_phone(number: str, now: dt.datetime, *, source: str, via: str) -> LoggedIn:
    """The parent account of a proven phone number, created on first use, with the
    guardians declared under that number linked to it. Call inside a transaction."""
    key = phone_index(number)
    lock_phone(key)
    user = User.objects.filter(phone_index=key).order_by("pk").first()
    created = user is None
    if user is None:
        user = User(username=f"parent-{key[:20]}", role=Role.PARENT, phone=number, phone_index=key)
        user.set_unusable_password()
        user.save()
    elif user.role != Role.PARENT or not user.is_active:
        raise ValidationError({"phone": _("该手机号不能用验证码登录，工作人员请使用账号密码登录")})
    linked = Guardian.objects.filter(phone_index=key, user__isnull=True).update(user=user)
    user.last_login = now
    user.save(update_fields=["last_login"])
    actor = Actor(user.get_username(), Role.PARENT, source)
    if created:
        record(actor, "account.created", user, role=Role.PARENT, via=via)
    record(actor, "account.parent_login", user, via=via, guardians_linked=linked)
    return LoggedIn(user=user, created=created, guardians_linked=linked)


def delivery_hint() -> str:
    """Where codes go when no real SMS provider is configured (shown only with DEBUG on)."""
    backend = settings.SUNSHINE_SMS_BACKEND
    if backend == "file":
        path = Path(settings.SUNSHINE_SMS_FILE)
        shown = (
            path.relative_to(settings.BASE_DIR) if path.is_relative_to(settings.BASE_DIR) else path
        )
        return _("演示环境：短信未真正发出，验证码已写入文件 %(path)s") % {"path": shown}
    if backend == "console":
        return _("演示环境：短信未真正发出，验证码打印在服务器控制台")
    return ""
