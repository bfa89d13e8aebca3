import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from sunshine.accounts.models import Role, User
from sunshine.accounts.staff_login import enroll_totp
from sunshine.audit.services import Actor


@pytest.mark.django_db
def test_the_demo_code_logs_a_staff_member_in(capsys, settings):
    settings.DEBUG = True
    user = User.objects.create_user("city", password="demo-password-1", role=Role.CITY)
    enroll_totp(Actor("setup"), user)
    call_command("demo_code", "city")
    code = capsys.readouterr().out.split()[0]
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "city", "password": "demo-password-1", "otp_token": code},
    )
    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
def test_there_are_no_demo_codes_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code", "city")
