"""Staff log-in: password, then a TOTP code (RFC 6238) from the staff member's authenticator app.

Repeated failures lock the username at that address out (django-axes); a wrong TOTP code
counts as a failure too, so a stolen password alone cannot be used to guess codes.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunshine.accounts.models import Role, User
from sunshine.audit.services import Actor, record, source_of

STAFF_ROLES = frozenset({Role.CITY, Role.DISTRICT, Role.SCHOOL, Role.OBSERVER})
DEVICE_NAME = "authenticator"


def needs_second_factor(user: User) -> bool:
    return user.role in STAFF_ROLES or user.is_staff or user.is_superuser


class StaffLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=_("动态验证码"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确"),
        "otp_missing": _("工作人员登录须填写动态验证码（身份验证器应用中的6位数字）"),
        "otp_invalid": _("动态验证码不正确或已过期"),
        "otp_not_enrolled": _("该账户尚未绑定身份验证器，请联系系统管理员"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device: TOTPDevice | None = None

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not needs_second_factor(user):
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is None:
            self._fail(user, "otp_not_enrolled")
        elif not token:
            self._fail(user, "otp_missing")
        elif not device.verify_is_allowed()[0] or not device.verify_token(token):
            self._fail(user, "otp_invalid")
        self.otp_device = device

    def _fail(self, user: User, code: str) -> None:
        # Counted by django-axes like a wrong password.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=self.request
        )
        raise ValidationError({"otp_token": self.error_messages[code]}, code=code)


class StaffLoginView(LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)
        return response


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> Any:
    """What django-axes answers once an account is locked: a page in Chinese, status 429."""
    return render(request, "accounts/locked_out.html", status=429)


def enroll_totp(actor: Actor, user: User) -> TOTPDevice:
    """Give a staff account a new authenticator secret, replacing any earlier one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        record(actor, "account.totp_enrolled", user)
    return device


def _record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not isinstance(user, User) or not needs_second_factor(user):
        return
    with transaction.atomic():
        record(Actor.of_user(user, source=source_of(request)), "account.staff_login", user)


user_logged_in.connect(_record_login, dispatch_uid="sunshine.accounts.staff_login")


def protect_admin_site() -> None:
    """The admin site has its own password-only log-in: send it through this one instead."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(target, reverse("accounts:login"))

    admin.site.login = login  # type: ignore[method-assign]
