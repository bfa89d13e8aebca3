"""What a client app may show before log-in: the notice to consent to, and notice checks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from sunshine.api import schemas
from sunshine.api.auth import ClientKey
from sunshine.portal import notice, privacy_notice

router = Router(tags=["public"])


@router.get("/privacy-notice", auth=ClientKey(), response=schemas.NoticeOut)
def get_privacy_notice(request: HttpRequest) -> Any:
    """The personal-information notice a guardian consents to when submitting."""
    paragraphs, consent = privacy_notice.shown()
    return {
        "version": privacy_notice.NOTICE_VERSION,
        "sha256": privacy_notice.NOTICE_SHA256,
        "paragraphs": paragraphs,
        "consent": consent,
    }


@router.get("/notices/{token}", auth=None, response=schemas.NoticeCheckOut)
def check_notice(request: HttpRequest, token: schemas.Token) -> Any:
    """Is an admission notice genuine? Anyone may ask; only masked data is returned."""
    return notice.check_notice(token)
