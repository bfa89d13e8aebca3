"""Staff log in with password and TOTP, are locked out after repeated failures, and sessions end."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.accounts.staff_login import enroll_totp
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor, address_hash

PASSWORD = "correct horse battery"
LOGIN = "/accounts/login/"
ADDRESS = "198.51.100.7"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Many log-ins per test: a fast hasher keeps them quick (the real one is not under test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _staff(role: str = Role.CITY) -> tuple[User, object]:
    user = User.objects.create_user("clerk", password=PASSWORD, role=role)
    return user, enroll_totp(Actor("admin", Role.CITY), user)


def _code(device, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def _post(client: Client, password: str = PASSWORD, code: str = "", username: str = "clerk"):
    data = {"username": username, "password": password, "otp_token": code}
    return client.post(LOGIN, data, REMOTE_ADDR=ADDRESS)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("console:home"), REMOTE_ADDR=ADDRESS).status_code == 200


@pytest.mark.django_db
def test_staff_log_in_with_password_and_a_current_code():
    _, device = _staff()
    client = Client()
    response = _post(client, code=_code(device))
    assert response.status_code == 302 and _signed_in(client)
    assert client.session.get("otp_device_id")  # the session records the second factor


def _scoped(role: str) -> dict[str, object]:
    if role == Role.SCHOOL:
        return {"school": testing.school("S1", testing.round_(), seats=5)}
    if role == Role.DISTRICT:
        return {"district": testing.district()}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CITY, Role.DISTRICT, Role.SCHOOL, Role.OBSERVER])
def test_a_password_alone_does_not_let_staff_in(role):
    user = User.objects.create_user("clerk", password=PASSWORD, role=role, **_scoped(role))
    enroll_totp(Actor("admin", Role.CITY), user)
    client = Client()
    response = _post(client)
    assert response.status_code == 200 and "动态验证码" in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_a_wrong_or_stale_code_is_refused():
    _, device = _staff()
    client = Client()
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert _post(client, code=_code(device, offset=-10)).status_code == 200
    assert _post(client, code=wrong).status_code == 200
    assert not _signed_in(client)


@pytest.mark.django_db
def test_a_code_works_only_once():
    _, device = _staff()
    code = _code(device)
    assert _post(Client(), code=code).status_code == 302
    second = Client()
    assert _post(second, code=code).status_code == 200 and not _signed_in(second)


@pytest.mark.django_db
def test_staff_without_an_authenticator_cannot_log_in():
    User.objects.create_user("clerk", password=PASSWORD, role=Role.CITY)
    client = Client()
    response = _post(client, code="123456")
    assert "尚未绑定身份验证器" in response.content.decode() and not _signed_in(client)


@pytest.mark.django_db
def test_a_parent_with_a_password_is_not_asked_for_a_code():
    User.objects.create_user("family", password=PASSWORD, role=Role.PARENT)
    assert _post(Client(), username="family").status_code == 302


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_out_at_that_address(settings):
    _, device = _staff()
    client = Client()
    assert _post(client, password="guess").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, password="guess")
    locked = _post(client, code=_code(device))
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_guessing_codes_with_a_stolen_password_locks_the_account_out(settings):
    _, device = _staff()
    client = Client()
    wrong = "000000" if _code(device) != "000000" else "111111"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(client, code=wrong)
    assert _post(client, code=_code(device)).status_code == 429


@pytest.mark.django_db
def test_a_staff_session_expires(settings):
    _, device = _staff()
    client = Client()
    _post(client, code=_code(device))
    assert client.session.get_expiry_age() <= 2 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not _signed_in(client)


@pytest.mark.django_db
def test_a_staff_log_in_is_audited_with_the_source_address():
    _, device = _staff()
    _post(Client(), code=_code(device))
    event = AuditEvent.objects.get(action="account.staff_login")
    assert event.actor == "clerk" and event.source == address_hash(ADDRESS)
    assert AuditEvent.objects.filter(action="account.totp_enrolled").count() == 1


@pytest.mark.django_db
def test_the_enrollment_command_prints_the_authenticator_link_once(capsys):
    User.objects.create_user("clerk", password=PASSWORD, role=Role.CITY)
    call_command("enroll_totp", "clerk", "--operator", "security-officer")
    link = capsys.readouterr().out.strip()
    assert link.startswith("otpauth://totp/") and "secret=" in link
    device = TOTPDevice.objects.get(user__username="clerk")
    assert _post(Client(), code=_code(device)).status_code == 302


@pytest.mark.django_db
def test_the_enrollment_command_refuses_a_parent_account():
    User.objects.create_user("family", role=Role.PARENT)
    with pytest.raises(CommandError):
        call_command("enroll_totp", "family", "--operator", "security-officer")


@pytest.mark.django_db
def test_the_admin_site_logs_in_here_and_asks_administrators_for_a_code():
    user, device = _staff(role=Role.PARENT)  # an administrator is staff whatever their role
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    sent = client.get("/admin/login/")
    assert sent.status_code == 302 and sent["Location"].startswith(LOGIN)
    assert _post(client).status_code == 200
    assert _post(client, code=_code(device)).status_code == 302
    assert client.get("/admin/", REMOTE_ADDR=ADDRESS).status_code == 200
