"""Log-in by the province's unified identity: OpenID Connect authorization code with PKCE.

Authlib keeps ``state``, ``nonce`` and the PKCE verifier in the session and
checks the ID token (signature by the provider's published keys, issuer,
audience, expiry, nonce) before the claims reach the account service.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import login as django_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from joserfc.errors import JoseError

from sunshine.accounts import oidc_login
from sunshine.portal.forms import LoginForm
from sunshine.portal.views.common import client_address, errors_of
from sunshine.portal.views.login import next_url

_NEXT = "portal.oidc.next"


def configured() -> bool:
    config = getattr(settings, "SUNSHINE_OIDC", {})
    return bool(config.get("server_metadata_url") and config.get("client_id"))


def _provider() -> Any:
    if not configured():
        raise Http404
    config = settings.SUNSHINE_OIDC
    oauth = OAuth()
    return oauth.register(
        "province",
        client_id=config["client_id"],
        client_secret=config.get("client_secret") or None,
        server_metadata_url=config["server_metadata_url"],
        client_kwargs={"scope": "openid phone", "code_challenge_method": "S256", "timeout": 10},
    )


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    provider = _provider()
    request.session[_NEXT] = next_url(request)
    try:
        return provider.authorize_redirect(  # type: ignore[no-any-return]
            request, request.build_absolute_uri(reverse("portal:oidc_callback"))
        )
    except requests.RequestException:
        return _failed(request)


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    provider = _provider()
    try:
        token = provider.authorize_access_token(request)
        claims = token.get("userinfo") or {}
        logged_in = oidc_login.log_in_with_identity(
            str(claims.get("iss") or ""), claims, client_address(request)
        )
    except (OAuthError, JoseError, requests.RequestException, KeyError):
        return _failed(request)
    except ValidationError as error:
        return _failed(request, errors_of(error))
    django_login(request, logged_in.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(request.session.pop(_NEXT, "portal:home"))


def _failed(request: HttpRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    errors = errors or {"__all__": [_("统一身份认证登录没有成功，请重试，或使用短信验证码登录。")]}
    context = {
        "form": LoginForm(),
        "next": "portal:home",
        "errors": errors,
        "oidc_name": settings.SUNSHINE_OIDC.get("name"),
    }
    return render(request, "portal/login.html", context, status=400)
