"""After verification has started: corrections and requests for a manual review.

Before the deadline a family simply re-submits. Once checks have run, a
correction goes through verification's ``correct_and_recheck``, which re-runs
this application's checks at once, until verification ends. The correction
carries the draft's idempotency key like a submission, so a double tap
corrects once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.applications.models import Application
from sunshine.audit.chain import canonical_json
from sunshine.audit.services import Actor
from sunshine.portal import drafts
from sunshine.portal.models import Draft, SubmissionReceipt, new_idempotency_key
from sunshine.portal.privacy_notice import NOTICE_VERSION
from sunshine.portal.services import KeyReused, _valid_key
from sunshine.privacy.crypto import blind_index
from sunshine.verification import reviews
from sunshine.verification.services import CORRECTABLE_STATUSES, correct_and_recheck

# Declared fields a family may correct here; ID numbers and names come from the
# child's registration and are corrected by the school.
CORRECTABLE_FIELDS = (
    "residence_address",
    "hukou_address",
    "property_certificate_no",
    "property_address",
    "rental_registration_no",
    "residence_permit_no",
)


def available(application: Application | None, now: dt.datetime | None = None) -> bool:
    if application is None:
        return False
    now = now or timezone.now()
    return application.status in CORRECTABLE_STATUSES and now < application.round.verification_ends


def review_possible(application: Application) -> bool:
    return application.status in reviews.REQUESTABLE


def corrected_values(draft: Draft) -> dict[str, str]:
    """The correctable fields as the draft now declares them ("" for none)."""
    new = drafts.declaration_from(draft.data, draft.child)
    return {name: getattr(new, name) or "" for name in CORRECTABLE_FIELDS}


def changes_in(draft: Draft, application: Application) -> dict[str, str]:
    """Fields whose corrected value differs from the declaration; "" withdraws a field."""
    old = application.declaration
    return {
        name: value
        for name, value in corrected_values(draft).items()
        if value != (old.get(name) or "")
    }


def submit(
    actor: Actor,
    draft: Draft,
    application: Application,
    *,
    key: str,
    consent: bool,
    now: dt.datetime | None = None,
) -> Application:
    """Correct the application from the draft and re-run its checks."""
    now = now or timezone.now()
    if not consent:
        raise ValidationError({"consent": _("请阅读个人信息处理告知，勾选同意后再提交")})
    key = _valid_key(key)
    scope = f"user:{draft.user_id}"
    target = {"correct": application.pk, **corrected_values(draft)}
    digest = blind_index(canonical_json(target), "submission")
    receipt = SubmissionReceipt.objects.filter(scope=scope, key=key).first()
    if receipt is not None:
        return _replayed(receipt, digest)
    if not available(application, now):
        raise ValidationError({"status": _("核验期已结束，不能再更正")})
    try:
        corrected = correct_and_recheck(actor, application, changes_in(draft, application), now=now)
    except ValidationError:
        # A second tap that lost the race finds the first one's receipt.
        receipt = SubmissionReceipt.objects.filter(scope=scope, key=key).first()
        if receipt is not None:
            return _replayed(receipt, digest)
        raise
    try:
        with transaction.atomic():
            SubmissionReceipt.objects.create(
                scope=scope,
                key=key,
                request_sha256=digest,
                application=corrected,
                privacy_notice=NOTICE_VERSION,
                created_at=now,
            )
            Draft.objects.filter(pk=draft.pk).update(
                idempotency_key=new_idempotency_key(), submitted_at=now, updated_at=now
            )
    except IntegrityError:
        pass
    return corrected


def _replayed(receipt: SubmissionReceipt, digest: str) -> Application:
    if receipt.request_sha256 != digest:
        raise KeyReused(
            {"idempotency_key": _("该页面已过期（内容与上次提交不同），请重新核对后提交")}
        )
    return receipt.application


def request_review(
    actor: Actor, application: Application, *, note: str, document: Any | None = None
) -> Any:
    """Ask for a manual review, with at most one document (verification's service)."""
    return reviews.request_review(actor, application, note=note, document=document)
