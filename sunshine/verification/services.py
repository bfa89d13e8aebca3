"""Writes of the verification stage: department extracts, checks, categories."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from sunshine.applications.models import Application, Status
from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, Event, record, record_many
from sunshine.engine.checks import (
    CheckContext,
    CheckResult,
    applicable_checks,
    derive_facts,
    run_checks,
)
from sunshine.engine.checks import CheckStatus as EngineStatus
from sunshine.engine.policy.evaluate import FactUse, evaluate
from sunshine.engine.policy.loader import Policy, load_policy
from sunshine.engine.records import AddressUnit, Declaration, GuardianDeclaration
from sunshine.notifications.services import Announcement, enqueue
from sunshine.schools.models import Round
from sunshine.schools.selectors import city_map
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.models import (
    CategoryAssignment,
    DepartmentExtract,
    DepartmentRecord,
    RecordKind,
    VerificationCheck,
)
from sunshine.verification.records import KINDS, key_index, to_json


def import_extract(
    actor: Actor, kind: RecordKind, source_name: str, rows: Sequence[Any]
) -> DepartmentExtract:
    """Import a department's extract whole, or refuse it whole with every row's problem."""
    spec = KINDS[kind]
    problems: list[str] = []
    seen: dict[str, int] = {}
    payloads: list[tuple[str, str]] = []
    for line, row in enumerate(rows, start=1):
        if not isinstance(row, spec.shape):
            problems.append(f"第{line}行：记录类型应为{spec.shape.__name__}")
            continue
        key = str(getattr(row, spec.key_field) or "").strip()
        if not key:
            problems.append(f"第{line}行：缺少{spec.key_field}")
            continue
        index = key_index(kind, key)
        if index in seen:
            problems.append(f"第{line}行：{spec.key_field}与第{seen[index]}行重复")
            continue
        seen[index] = line
        payloads.append((index, to_json(row)))
    if problems:
        raise ValidationError({"rows": problems})
    digest = hashlib.sha256("\n".join(p for _, p in payloads).encode()).hexdigest()
    with transaction.atomic():
        extract = DepartmentExtract.objects.create(
            department=spec.department,
            kind=kind,
            source_name=source_name,
            sha256=digest,
            row_count=len(payloads),
        )
        DepartmentRecord.objects.bulk_create(
            (
                DepartmentRecord(kind=kind, key_index=index, payload_json=payload, extract=extract)
                for index, payload in payloads
            ),
            batch_size=1000,
        )
        record(
            actor,
            "department.extract_imported",
            extract,
            kind=kind,
            rows=len(payloads),
            sha256=digest,
        )
    return extract


@dataclass(frozen=True)
class VerificationReport:
    checked: int
    verified: int
    review: int
    offline_check: int
    mismatches: int


def declaration_of(application: Application) -> Declaration:
    data = application.declaration
    guardians = tuple(GuardianDeclaration(**g) for g in data.get("guardians", ()))
    return Declaration(**{**data, "guardians": guardians, "notes": tuple(data.get("notes", ()))})


def verify_round(
    actor: Actor,
    round_: Round,
    *,
    now: dt.datetime | None = None,
    records: ExtractRecords | None = None,
    progress: bool = False,
    chunk: int = 250,
) -> VerificationReport:
    """Check every submitted application of the round, in chunks of one transaction each."""
    now = now or timezone.now()
    records = records or ExtractRecords()
    policy = load_policy(round_.term.policy_toml)
    city = city_map()
    context = CheckContext(reference_date=round_.term.reference_date, gazetteer=city.gazetteer)
    zones = city.zones.get(round_.level, {})
    ids = list(
        Application.objects.filter(round=round_, status=Status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tally: Counter[str] = Counter()
    bar = tqdm(total=len(ids), desc=f"核验 verification {round_.level}", disable=not progress)
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            batch = list(
                Application.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + chunk], status=Status.SUBMITTED)
                .select_related("zone_school", "child")
                .order_by("pk")
            )
            records.preload(declaration_of(application) for application in batch)
            for application in batch:
                outcome = _verify_one(actor, application, records, context, zones, policy, now)
                tally[outcome] += 1
        bar.update(min(chunk, len(ids) - start))
    bar.close()
    return VerificationReport(
        checked=len(ids),
        verified=tally[Status.VERIFIED],
        review=tally[Status.REVIEW],
        offline_check=tally[Status.OFFLINE_CHECK],
        mismatches=tally["mismatch"],
    )


def _verify_one(
    actor: Actor,
    application: Application,
    records: ExtractRecords,
    context: CheckContext,
    zones: dict[str, tuple[AddressUnit, ...]],
    policy: Policy,
    now: dt.datetime,
) -> str:
    declaration = declaration_of(application)
    results = _with_retries(declaration, records, context)
    zone = zones.get(application.zone_school.code, ()) if application.zone_school else ()
    facts = derive_facts(results, zone, expected=applicable_checks(declaration))
    assignment = evaluate(policy, facts)
    VerificationCheck.objects.filter(application=application).delete()
    VerificationCheck.objects.bulk_create(
        VerificationCheck(
            application=application,
            check_name=result.check.value,
            status=result.status.value,
            reason_code=result.reason_code.value,
            field=result.field or "",
            message_zh=result.message_zh,
            message_en=result.message_en,
            facts_json=json.dumps(dict(result.facts), ensure_ascii=False),
            retryable=result.retryable,
            checked_at=now,
        )
        for result in results
    )
    if assignment.determined:
        CategoryAssignment.objects.update_or_create(
            application=application,
            defaults={
                "category": assignment.category,
                "name": assignment.name or "",
                "offline_check": assignment.offline_check,
                "reasons": [_fact_use(use) for use in assignment.reasons],
                "facts": {name: _json_fact(value) for name, value in facts.values.items()},
                "policy_sha256": policy.source_sha256,
                "assigned_at": now,
            },
        )
    else:
        CategoryAssignment.objects.filter(application=application).delete()
    needs_person = any(r.status is EngineStatus.NEEDS_REVIEW for r in results)
    if needs_person or not assignment.determined or assignment.tie_break_pending:
        application.status = Status.REVIEW
    elif assignment.offline_check:
        application.status = Status.OFFLINE_CHECK
    else:
        application.status = Status.VERIFIED
    application.save(update_fields=["status", "updated_at"])
    failed = [r for r in results if r.status in (EngineStatus.MISMATCH, EngineStatus.NOT_FOUND)]
    record_many(
        actor,
        [
            *(
                Event(
                    "department.queried",
                    "applications.application",
                    str(application.pk),
                    {
                        "purpose": "入学资格核验",
                        "department": query.department,
                        "kind": query.kind,
                        "request_sha256": query.request_sha256,
                        "response_sha256": query.response_sha256,
                        "outcome": query.outcome,
                    },
                )
                for query in records.take_queries()
            ),
            Event(
                "application.verified",
                "applications.application",
                str(application.pk),
                {
                    "checks": {r.check.value: r.reason_code.value for r in results},
                    "category": assignment.category,
                    "status": application.status,
                },
            ),
        ],
    )
    if failed:
        guardian = application.child.guardians.order_by("pk").first()
        if guardian is not None:
            enqueue(
                [
                    Announcement(
                        f"check-failed:{application.pk}:{now.isoformat()}",
                        guardian.phone,
                        "CHECK_FAILED",
                        {"child": application.child.name, "reason": failed[0].message_zh[:60]},
                    )
                ],
                now,
            )
    return "mismatch" if failed and application.status == Status.VERIFIED else application.status


def _with_retries(
    declaration: Declaration, records: ExtractRecords, context: CheckContext, retries: int = 2
) -> list[CheckResult]:
    """Run the checks; ask again those a department did not answer, then leave them for review."""
    results = {r.check: r for r in run_checks(declaration, records, context)}
    for _ in range(retries):
        again = [name for name, r in results.items() if r.retryable]
        if not again:
            break
        for result in run_checks(declaration, records, context, only=again):
            results[result.check] = result
    return list(results.values())


def _fact_use(use: FactUse) -> dict[str, object]:
    return {"fact": use.fact, "value": _json_fact(use.value)}


def _json_fact(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def decide_offline_check(
    actor: Actor, application: Application, *, lives_in_zone: bool, note: str
) -> Application:
    """A school's decision after its home visit for a category-5 family."""
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
        record(
            actor,
            "application.offline_checked",
            locked,
            lives_in_zone=lives_in_zone,
            note_sha256=fingerprint(note),
        )
    return locked
