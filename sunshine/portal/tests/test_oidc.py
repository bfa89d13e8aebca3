"""Log-in by the province's unified identity, against an OpenID Provider served by the test."""

from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from sunshine import testing
from sunshine.accounts.models import ExternalIdentity, User
from sunshine.portal.tests import openid_provider
from sunshine.portal.tests import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with openid_provider.running() as op:
        settings.SUNSHINE_OIDC = {
            "name": "湖南省统一身份认证",
            "server_metadata_url": f"{op.issuer}/.well-known/openid-configuration",
            "client_id": op.client_id,
            "client_secret": op.client_secret,
        }
        yield op


def sign_in(client, op):
    """Start at the platform, let the provider sign the person in, come back."""
    start = client.get(reverse("portal:oidc_start"))
    assert start.status_code == 302 and start["Location"].startswith(f"{op.issuer}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_the_first_log_in_finds_the_children_declared_under_the_verified_phone(client, provider):
    kid = testing.child()
    guardian = kid.guardians.get()
    provider.person = openid_provider.Person("hn-0001", f"+86 {guardian.phone}")
    response = sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    guardian.refresh_from_db()
    assert guardian.user is not None
    assert ExternalIdentity.objects.get().user == guardian.user
    assert kid.name in client.get(reverse("portal:home")).content.decode()


def test_the_identity_and_an_sms_log_in_reach_the_same_account(client, provider):
    provider.person = openid_provider.Person("hn-0002", "13900000021")
    sign_in(client, provider)
    assert w.parent_user("13900000021") == ExternalIdentity.objects.get().user
    # Later the provider knows a new number; the identity still leads to the account.
    client.logout()
    provider.person = openid_provider.Person("hn-0002", "13900000099")
    sign_in(client, provider)
    assert User.objects.filter(role="parent").count() == 1


def test_an_identity_without_a_verified_phone_is_sent_to_the_sms_log_in(client, provider):
    provider.person = openid_provider.Person("hn-0003", "13900000022", phone_verified=False)
    response = sign_in(client, provider)
    assert response.status_code == 400 and "短信验证码" in response.content.decode()
    assert not User.objects.exists()


def test_a_token_from_another_issuer_is_refused(client, provider):
    provider.person = openid_provider.Person("hn-0004", "13900000023")
    provider.token_issuer = "http://impostor.example"
    response = sign_in(client, provider)
    assert response.status_code == 400 and not User.objects.exists()


def test_a_callback_with_a_forged_state_is_refused(client, provider):
    provider.person = openid_provider.Person("hn-0005", "13900000024")
    client.get(reverse("portal:oidc_start"))
    response = client.get(reverse("portal:oidc_callback"), {"code": "x", "state": "forged"})
    assert response.status_code == 400 and not User.objects.exists()


def test_a_refusal_at_the_provider_logs_nobody_in(client, provider):
    provider.person = None
    assert sign_in(client, provider).status_code == 400


def test_without_configuration_the_way_is_closed_and_not_offered(client, settings):
    settings.SUNSHINE_OIDC = {"name": "x", "server_metadata_url": "", "client_id": ""}
    assert client.get(reverse("portal:oidc_start")).status_code == 404
    assert reverse("portal:oidc_start") not in client.get(reverse("portal:login")).content.decode()


def test_the_login_page_offers_the_unified_identity_when_configured(client, provider):
    page = client.get(reverse("portal:login")).content.decode()
    assert "使用湖南省统一身份认证登录" in page
