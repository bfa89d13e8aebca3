"""Log-in by SMS code inside a client app, and log-out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sunshine.accounts import sms_login
from sunshine.api import schemas, tokens
from sunshine.api.auth import ClientKey, ParentToken, client_of, end_user_address, parent_of
from sunshine.api.views import me_out

router = Router(tags=["log-in"])


@router.post(
    "/sms-code",
    auth=ClientKey(),
    response={202: schemas.CodeSentOut, 422: schemas.Errors, 429: schemas.RateLimitedOut},
)
def send_code(request: HttpRequest, body: schemas.PhoneIn) -> Any:
    """Send a log-in code by SMS (limited per phone and per end user's address)."""
    sent = sms_login.request_code(body.phone, end_user_address(request))
    return Status(202, sent)


@router.post(
    "/token",
    auth=ClientKey(),
    response={201: schemas.TokenOut, 422: schemas.Errors, 429: schemas.RateLimitedOut},
)
def token(request: HttpRequest, body: schemas.CodeIn) -> Any:
    """Exchange the SMS code for a parent's access token (valid two hours)."""
    logged_in = sms_login.verify_code(body.phone, body.code, end_user_address(request))
    row, secret = tokens.issue_access_token(client_of(request), logged_in.user)
    return Status(201, {"access_token": secret, "expires_at": row.expires_at})


@router.post("/logout", auth=ParentToken(), response={204: None})
def logout(request: HttpRequest) -> Any:
    """Revoke the access token this call carries."""
    tokens.revoke(request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", auth=ParentToken(), response=schemas.MeOut)
def me(request: HttpRequest) -> Any:
    return me_out(parent_of(request))
