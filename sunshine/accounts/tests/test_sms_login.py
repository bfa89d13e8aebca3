import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from sunshine import testing
from sunshine.accounts import sms_login
from sunshine.accounts.models import LoginCode, Role, User
from sunshine.accounts.services import create_user
from sunshine.audit.services import Actor
from sunshine.notifications.backends import DeliveryFailed

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.7"


class Capture:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
        self.sent.append((phone, template_id, params))
        return "id-1"

    @property
    def code(self) -> str:
        return self.sent[-1][2]["code"]


@pytest.fixture(autouse=True)
def _chinese_first():
    """Messages are asserted in Chinese, the default language, whatever an earlier test chose."""
    with translation.override("zh-hans"):
        yield


def ask(phone: str, now: dt.datetime, address: str = ADDRESS) -> Capture:
    backend = Capture()
    sms_login.request_code(phone, address, now=now, backend=backend)
    return backend


def test_a_code_is_sent_by_template_and_only_its_keyed_hash_is_stored():
    now = timezone.now()
    backend = ask("13900000001", now)
    phone, template, params = backend.sent[0]
    assert (phone, template) == ("13900000001", "LOGIN_CODE")
    code = params["code"]
    assert len(code) == 6 and code.isdigit()
    stored = LoginCode.objects.get()
    assert stored.expires_at == now + dt.timedelta(minutes=5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_logincode")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert code not in row and "13900000001" not in row


def test_the_right_code_logs_in_once_creating_a_parent_and_linking_guardians_by_phone():
    kid = testing.child()
    guardian = kid.guardians.get()
    now = timezone.now()
    backend = ask(guardian.phone, now)
    logged_in = sms_login.verify_code(guardian.phone, backend.code, ADDRESS, now=now)
    assert logged_in.created and logged_in.user.role == Role.PARENT
    assert logged_in.guardians_linked == 1
    guardian.refresh_from_db()
    assert guardian.user == logged_in.user
    with pytest.raises(ValidationError) as used:
        sms_login.verify_code(guardian.phone, backend.code, ADDRESS, now=now)
    assert "code" in used.value.message_dict
    # The next log-in finds the same account.
    again = ask(guardian.phone, now + dt.timedelta(minutes=2))
    second = sms_login.verify_code(
        guardian.phone, again.code, ADDRESS, now=now + dt.timedelta(minutes=2)
    )
    assert second.user == logged_in.user and not second.created


def test_a_code_expires_after_five_minutes():
    now = timezone.now()
    backend = ask("13900000002", now)
    with pytest.raises(ValidationError, match="失效"):
        sms_login.verify_code(
            "13900000002", backend.code, ADDRESS, now=now + dt.timedelta(minutes=5, seconds=1)
        )


def test_five_wrong_codes_burn_the_code_and_a_wrong_code_stays_counted():
    now = timezone.now()
    backend = ask("13900000003", now)
    wrong = "000000" if backend.code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError, match="不正确"):
            sms_login.verify_code("13900000003", wrong, ADDRESS, now=now)
    assert LoginCode.objects.get().failed_attempts == 5
    with pytest.raises(ValidationError, match="过多"):
        sms_login.verify_code("13900000003", backend.code, ADDRESS, now=now)


def test_one_code_a_minute_and_five_an_hour_per_phone():
    now = timezone.now()
    ask("13900000004", now)
    with pytest.raises(sms_login.RateLimited) as soon:
        ask("13900000004", now + dt.timedelta(seconds=30))
    assert 1 <= soon.value.retry_after <= 31
    for minutes in range(1, 5):
        ask("13900000004", now + dt.timedelta(minutes=minutes))
    with pytest.raises(sms_login.RateLimited) as hourly:
        ask("13900000004", now + dt.timedelta(minutes=6))
    assert hourly.value.retry_after == pytest.approx(54 * 60, abs=2)
    ask("13900000004", now + dt.timedelta(minutes=61))


def test_one_address_cannot_spray_codes_at_many_phones(settings):
    settings.SUNSHINE_SMS_LOGIN_LIMITS = {"codes_per_client_per_window": 3}
    now = timezone.now()
    for i in range(3):
        ask(f"1390000010{i}", now)
    with pytest.raises(sms_login.RateLimited):
        ask("13900000109", now)
    ask("13900000109", now, address="203.0.113.9")


def test_wrong_codes_across_several_codes_lock_the_phone_for_the_hour(settings):
    settings.SUNSHINE_SMS_LOGIN_LIMITS = {"wrong_codes_per_phone_per_hour": 4}
    now = timezone.now()
    for attempt in range(2):
        when = now + dt.timedelta(minutes=2 * attempt)
        backend = ask("13900000005", when)
        wrong = "000000" if backend.code != "000000" else "111111"
        for _ in range(2):
            with pytest.raises(ValidationError):
                sms_login.verify_code("13900000005", wrong, ADDRESS, now=when)
    with pytest.raises(sms_login.RateLimited):
        sms_login.verify_code(
            "13900000005", backend.code, ADDRESS, now=now + dt.timedelta(minutes=3)
        )


def test_a_bad_phone_number_is_named_and_nothing_is_sent():
    backend = Capture()
    with pytest.raises(ValidationError) as bad:
        sms_login.request_code("12345", ADDRESS, backend=backend)
    assert "phone" in bad.value.message_dict and backend.sent == []
    assert not LoginCode.objects.exists()


def test_a_provider_failure_is_reported_and_recorded():
    class Failing:
        def send(self, phone: str, template_id: str, params: dict[str, str]) -> str:
            raise DeliveryFailed("provider down")

    with pytest.raises(ValidationError, match="发送失败"):
        sms_login.request_code("13900000006", ADDRESS, backend=Failing())
    assert LoginCode.objects.get().delivery == "failed"


def test_staff_cannot_log_in_by_sms_code():
    staff = create_user(Actor("t"), username="city", password="x-long-pass-1", role=Role.CITY)
    from sunshine.applications.services import phone_index

    User.objects.filter(pk=staff.pk).update(
        phone="13900000007", phone_index=phone_index("13900000007")
    )
    now = timezone.now()
    backend = ask("13900000007", now)
    with pytest.raises(ValidationError, match="工作人员"):
        sms_login.verify_code("13900000007", backend.code, ADDRESS, now=now)
