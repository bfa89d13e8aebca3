"""Log-in by phone number and SMS code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as django_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sunshine.accounts import sms_login
from sunshine.portal.forms import LoginForm
from sunshine.portal.views.common import client_address, errors_of


def next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "portal:home"


@never_cache
@sensitive_post_parameters("phone", "code")
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    context: dict[str, object] = {"form": form, "next": next_url(request)}
    if settings.SUNSHINE_OIDC.get("server_metadata_url"):
        context["oidc_name"] = settings.SUNSHINE_OIDC.get("name")
    status = 200
    if request.method == "POST" and form.is_valid():
        phone, code = form.cleaned_data["phone"], form.cleaned_data["code"]
        try:
            # Enter in the code box submits the form's first button ("send"): a typed
            # code means the parent wants to log in.
            if request.POST.get("action") == "send" and not code:
                sent = sms_login.request_code(phone, client_address(request))
                context["sent"] = sent
                if settings.DEBUG:
                    context["hint"] = sms_login.delivery_hint()
            else:
                logged_in = sms_login.verify_code(phone, code, client_address(request))
                django_login(
                    request,
                    logged_in.user,
                    backend="django.contrib.auth.backends.ModelBackend",
                )
                return redirect(context["next"])
        except sms_login.RateLimited as error:
            context["errors"] = errors_of(error)
            context["retry_after"] = error.retry_after
            status = 429
        except ValidationError as error:
            context["errors"] = errors_of(error)
            status = 400
    elif request.method == "POST":
        context["errors"] = {"phone": [_("请填写手机号码")]}
        status = 400
    response = render(request, "portal/login.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(context["retry_after"])
    return response
