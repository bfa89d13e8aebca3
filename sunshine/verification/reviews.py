"""Writes of manual review and offline checks: requests, documents, assignment, visits, decisions.

A family may ask for a manual review and upload ONE document with it: the
only upload path of the platform. The document is type-checked by its
content (PDF, JPEG, PNG), size-limited, stored under a random name outside
any public URL, and served only through a view that checks who asks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sunshine.accounts.models import Role, User
from sunshine.accounts.scopes import visible_applications
from sunshine.applications.models import Application, Status
from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, Event, record, record_many
from sunshine.engine.checks import (
    FACT_TYPES,
    CheckName,
    Facts,
    FactType,
    applicable_checks,
    derive_facts,
)
from sunshine.engine.checks import CheckStatus as EngineStatus
from sunshine.engine.policy.evaluate import evaluate
from sunshine.engine.policy.loader import load_policy
from sunshine.schools.selectors import city_map
from sunshine.verification.models import (
    ApplicationFacts,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    CheckStatus,
    HomeVisit,
    ReviewCase,
    ReviewDocument,
    VerificationCheck,
)
from sunshine.verification.settling import (
    APPLICATION,
    PARENT_REQUEST,
    Standing,
    declaration_of,
    fact_json,
    facts_from_json,
    settle_standings,
    stored_results,
)

DOCUMENT_FOLDER = "review-documents"
# Leading bytes ("magic numbers") of the accepted formats: PDF (ISO 32000-1 §7.5.2 header),
# PNG (ISO/IEC 15948 §5.2 signature), JPEG (ITU-T T.81 Annex B, SOI marker then a marker).
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
REQUESTABLE = {Status.VERIFIED, Status.REVIEW, Status.OFFLINE_CHECK}
STAFF_ROLES = {Role.SCHOOL, Role.DISTRICT, Role.CITY}
MANUAL_APPROVED = "manual_review_approved"
MANUAL_REJECTED = "manual_review_rejected"


class Upload(Protocol):
    """What the service needs of an uploaded file (Django's ``UploadedFile`` has it)."""

    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


def sniff(head: bytes) -> str | None:
    """The content type of a file by its first bytes, or None when it is not accepted."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def document_path(stored_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / DOCUMENT_FOLDER / stored_name


def _store(upload: Upload) -> tuple[str, str, int, str]:
    """Write the upload under a random name; (stored name, content type, size, sha256)."""
    limit = settings.SUNSHINE_REVIEW_UPLOAD_MAX_BYTES
    too_large = ValidationError({"document": f"材料不能超过{limit // (1024 * 1024)}MB"})
    if upload.size is not None and upload.size > limit:
        raise too_large
    stored_name = secrets.token_hex(24)
    path = document_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    content_type: str | None = None
    try:
        with path.open("xb") as out:
            for piece in upload.chunks():
                if size == 0:
                    content_type = sniff(piece)
                    if content_type is None:
                        raise ValidationError({"document": "材料只能是PDF、JPEG或PNG文件"})
                size += len(piece)
                if size > limit:
                    raise too_large
                digest.update(piece)
                out.write(piece)
        if size == 0 or content_type is None:
            raise ValidationError({"document": "材料文件为空"})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return stored_name, content_type, size, digest.hexdigest()


def request_review(
    actor: Actor,
    application: Application,
    *,
    note: str,
    document: Upload | None = None,
    now: dt.datetime | None = None,
) -> ReviewCase:
    """A family asks for a manual review, optionally with one document."""
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请说明需要人工审核的原因"})
    if len(note) > 500:
        raise ValidationError({"note": "说明不能超过500字"})
    if application.status not in REQUESTABLE:
        raise ValidationError({"status": "核验完成后、录取之前才能申请人工审核"})
    stored = _store(document) if document is not None else None
    try:
        with transaction.atomic():
            case = _open_parent_case(actor, application, note, stored, now)
    except BaseException:
        if stored is not None:
            document_path(stored[0]).unlink(missing_ok=True)
        raise
    return case


def _open_parent_case(
    actor: Actor,
    application: Application,
    note: str,
    stored: tuple[str, str, int, str] | None,
    now: dt.datetime,
) -> ReviewCase:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in REQUESTABLE:
        raise ValidationError({"status": "核验完成后、录取之前才能申请人工审核"})
    case = ReviewCase.objects.filter(
        application=locked, kind=CaseKind.REVIEW, status=CaseStatus.OPEN
    ).first()
    if case is None:
        case = ReviewCase(
            application=locked,
            school_id=locked.zone_school_id,
            kind=CaseKind.REVIEW,
            opened_at=now,
        )
    elif case.requested_by_parent:
        raise ValidationError({"note": "已提交人工审核申请，请等待审核结果"})
    case.requested_by_parent = True
    case.parent_note = note
    case.reasons = sorted({*case.reasons, PARENT_REQUEST})
    case.save()
    if stored is not None:
        stored_name, content_type, size, sha256 = stored
        ReviewDocument.objects.create(
            case=case,
            token=secrets.token_urlsafe(32),
            stored_name=stored_name,
            content_type=content_type,
            size_bytes=size,
            sha256=sha256,
            uploaded_by=actor.name,
            uploaded_at=now,
        )
    if locked.status != Status.REVIEW:
        locked.status = Status.REVIEW
        locked.save(update_fields=["status", "updated_at"])
    record(
        actor,
        "review.requested",
        locked,
        case=case.pk,
        note_sha256=fingerprint(note),
        document_sha256=stored[3] if stored else None,
        document_type=stored[1] if stored else None,
        document_bytes=stored[2] if stored else None,
    )
    return case


def _open_case(case: ReviewCase) -> ReviewCase:
    locked = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=case.pk)
    )
    if locked.status != CaseStatus.OPEN:
        raise ValidationError({"case": "该事项已处理完毕"})
    return locked


def assign_case(
    actor: Actor, case: ReviewCase, assignee: User, *, now: dt.datetime | None = None
) -> ReviewCase:
    """Give the case to a staff member who may see the application."""
    now = now or timezone.now()
    if assignee.role not in STAFF_ROLES or not assignee.is_active:
        raise ValidationError({"assignee": "只能分派给在职的工作人员"})
    if not visible_applications(assignee).filter(pk=case.application_id).exists():
        raise ValidationError({"assignee": "该工作人员无权处理此申请"})
    with transaction.atomic():
        locked = _open_case(case)
        locked.assigned_to = assignee
        locked.assigned_at = now
        locked.save(update_fields=["assigned_to", "assigned_at"])
        record(
            actor,
            "review.assigned",
            locked.application,
            case=locked.pk,
            kind=locked.kind,
            assignee=assignee.get_username(),
        )
    return locked


def record_home_visit(
    actor: Actor,
    case: ReviewCase,
    *,
    visited_on: dt.date,
    lives_in_zone: bool,
    findings: str,
    now: dt.datetime | None = None,
) -> HomeVisit:
    """What the school found at the family's home; the decision is separate."""
    now = now or timezone.now()
    findings = findings.strip()
    if not findings:
        raise ValidationError({"findings": "请填写入户核查情况"})
    if visited_on > timezone.localdate(now):
        raise ValidationError({"visited_on": "核查日期不能晚于今天"})
    with transaction.atomic():
        locked = _open_case(case)
        visit = HomeVisit.objects.create(
            case=locked,
            visited_on=visited_on,
            visitor=actor.name,
            lives_in_zone=lives_in_zone,
            findings=findings,
            recorded_at=now,
        )
        record(
            actor,
            "review.home_visit",
            locked.application,
            case=locked.pk,
            visited_on=visited_on.isoformat(),
            lives_in_zone=lives_in_zone,
            findings_sha256=fingerprint(findings),
        )
    return visit


def decide_case(
    actor: Actor,
    case: ReviewCase,
    *,
    outcome: str,
    reason: str,
    facts: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> ReviewCase:
    """Decide a case, with a reason the family will read.

    An offline check ends ``lives_in_zone`` or ``not_in_zone``. A review ends
    ``approved``, settling the facts staff established (``facts``, which must
    cover every fact still pending), or ``rejected``: what the records could not
    show counts as not shown.
    """
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写决定理由，家长将看到该理由"})
    if case.kind == CaseKind.OFFLINE_CHECK:
        if outcome not in (CaseOutcome.LIVES_IN_ZONE, CaseOutcome.NOT_IN_ZONE):
            raise ValidationError({"outcome": "线下核查的结论应为“在片区内居住”或“不在片区内居住”"})
        decide_offline(
            actor,
            case.application,
            lives_in_zone=outcome == CaseOutcome.LIVES_IN_ZONE,
            note=reason,
            now=now,
        )
        return ReviewCase.objects.get(pk=case.pk)
    if outcome not in (CaseOutcome.APPROVED, CaseOutcome.REJECTED):
        raise ValidationError({"outcome": "人工审核的结论应为“通过”或“不通过”"})
    settled = parse_facts(facts or {})
    with transaction.atomic():
        locked = _open_case(case)
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("zone_school", "round__term")
            .get(pk=locked.application_id)
        )
        row = ApplicationFacts.objects.select_for_update().filter(application=application).first()
        if row is None:
            raise ValidationError({"case": "该申请尚无核验结果，请待核验完成后再审核"})
        approved = outcome == CaseOutcome.APPROVED
        derived = _facts_after_review(application, approved)
        if approved:
            missing = sorted(derived.pending - settled.keys())
            if missing:
                raise ValidationError({"facts": "请确定以下事实：" + "、".join(missing)})
        else:
            # What neither the records nor the family could show counts as not shown.
            settled = {
                name: False if FACT_TYPES[name] is FactType.BOOL else None
                for name in derived.pending
            }
        row.values = {name: fact_json(value) for name, value in derived.values.items()}
        row.pending = sorted(derived.pending)
        row.overrides = {**row.overrides, **{k: fact_json(v) for k, v in settled.items()}}
        row.save(update_fields=["values", "pending", "overrides"])
        _conclude_waiting_checks(application, outcome, now)
        locked.status = CaseStatus.DECIDED
        locked.outcome = outcome
        locked.decision_reason = reason
        locked.decided_by = actor.name
        locked.decided_at = now
        locked.settled_facts = {k: fact_json(v) for k, v in settled.items()}
        locked.save()
        policy = load_policy(application.round.term.policy_toml)
        facts = facts_from_json(row.values, row.pending, row.overrides)
        standing = Standing(application, facts, evaluate(policy, facts), [])
        events = settle_standings(actor, [standing], policy, now)
        record_many(
            actor,
            [
                Event(
                    "review.decided",
                    APPLICATION,
                    str(application.pk),
                    {
                        "case": locked.pk,
                        "kind": locked.kind,
                        "outcome": outcome,
                        "reason_sha256": fingerprint(reason),
                        "settled_facts": locked.settled_facts,
                    },
                ),
                *events,
            ],
        )
    return locked


def _facts_after_review(application: Application, approved: bool) -> Facts:
    """The facts once staff have answered the checks that waited for a person.

    An approved check counts as verified (a guardianship document links every
    declared guardian); a rejected one as a mismatch. Checks still waiting for a
    department stay pending.
    """
    declaration = declaration_of(application)
    results = []
    for result, _ in stored_results([application.pk]).get(application.pk, {}).values():
        if result.status is EngineStatus.NEEDS_REVIEW and not result.retryable:
            facts = dict(result.facts)
            if approved and result.check is CheckName.GUARDIANSHIP:
                facts["linked_guardians"] = list(range(len(declaration.guardians)))
            status = EngineStatus.VERIFIED if approved else EngineStatus.MISMATCH
            result = dataclasses.replace(result, status=status, facts=facts)
        results.append(result)
    school = application.zone_school
    zone = city_map().zones.get(application.round.level, {}).get(school.code, ()) if school else ()
    return derive_facts(results, zone, expected=applicable_checks(declaration))


def _conclude_waiting_checks(application: Application, outcome: str, now: dt.datetime) -> None:
    """Checks that waited for a person now have the person's answer."""
    approved = outcome == CaseOutcome.APPROVED
    VerificationCheck.objects.filter(
        application=application, status=CheckStatus.NEEDS_REVIEW
    ).update(
        status=CheckStatus.VERIFIED if approved else CheckStatus.MISMATCH,
        reason_code=MANUAL_APPROVED if approved else MANUAL_REJECTED,
        message_zh="经工作人员人工审核，已确认" if approved else "经工作人员人工审核，未能确认",
        message_en="Confirmed by staff in a manual review."
        if approved
        else "Not confirmed by staff in a manual review.",
        retryable=False,
        checked_at=now,
    )


def parse_facts(raw: Mapping[str, Any]) -> dict[str, bool | int | dt.date]:
    """Facts staff settled, from form text or Python values; ValidationError names bad ones."""
    parsed: dict[str, bool | int | dt.date] = {}
    problems: dict[str, str] = {}
    for name, value in raw.items():
        kind = FACT_TYPES.get(name)
        if kind is None:
            problems[name] = "没有这项事实"
            continue
        try:
            parsed[name] = _fact_value(kind, value)
        except (TypeError, ValueError):
            problems[name] = {
                FactType.BOOL: "应为“是”或“否”",
                FactType.NUMBER: "应为非负整数",
                FactType.DATE: "日期格式应为“2024-03-01”",
            }[kind]
    if problems:
        raise ValidationError(problems)
    return parsed


def _fact_value(kind: FactType, value: Any) -> bool | int | dt.date:
    if kind is FactType.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "是"}:
            return True
        if text in {"false", "0", "no", "否"}:
            return False
        raise ValueError(value)
    if kind is FactType.NUMBER:
        number = int(value)
        if number < 0 or isinstance(value, bool):
            raise ValueError(value)
        return number
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def decide_offline(
    actor: Actor,
    application: Application,
    *,
    lives_in_zone: bool,
    note: str,
    now: dt.datetime | None = None,
) -> Application:
    """A school's decision after its home visit for a category-5 family."""
    now = now or timezone.now()
    if not note.strip():
        raise ValidationError({"note": "请填写核查情况"})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.OFFLINE_CHECK:
            raise ValidationError({"status": "该申请不在线下核查名单中"})
        if not lives_in_zone:
            # Without residence in the zone the family has no claim on the zone school;
            # coordinated placement finds the child a seat.
            locked.zone_school = None
        locked.status = Status.VERIFIED
        locked.save(update_fields=["status", "zone_school", "updated_at"])
        ReviewCase.objects.filter(
            application=locked, kind=CaseKind.OFFLINE_CHECK, status=CaseStatus.OPEN
        ).update(
            status=CaseStatus.DECIDED,
            outcome=CaseOutcome.LIVES_IN_ZONE if lives_in_zone else CaseOutcome.NOT_IN_ZONE,
            decision_reason=note,
            decided_by=actor.name,
            decided_at=now,
        )
        record(
            actor,
            "application.offline_checked",
            locked,
            lives_in_zone=lives_in_zone,
            note_sha256=fingerprint(note),
        )
    return locked
