"""Writes of the verification stage: department extracts, checks, corrections, policy.

Each public function is one transaction (a verification run, one per chunk)
and writes its audit events inside it. Review cases, home visits and
decisions are in ``sunshine.verification.reviews``.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from sunshine.applications.models import Application, Status
from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, Event, record, record_many
from sunshine.engine import idnumber
from sunshine.engine.checks import (
    REASONS,
    CheckContext,
    CheckName,
    CheckResult,
    ReasonCode,
    applicable_checks,
    derive_facts,
    parse_certificate_no,
    run_checks,
)
from sunshine.engine.checks.common import RELATIONS_EN
from sunshine.engine.policy.evaluate import evaluate
from sunshine.engine.policy.loader import Policy, PolicyError, load_policy
from sunshine.engine.records import AddressUnit, Declaration
from sunshine.schools.models import Round, Term
from sunshine.schools.selectors import CityMap, city_map, zone_for_address
from sunshine.verification import extracts
from sunshine.verification.bulk import id_set
from sunshine.verification.connectors import PURPOSE, Connector, configured_connector
from sunshine.verification.models import (
    ApplicationFacts,
    CheckStatus,
    DepartmentExtract,
    DepartmentRecord,
    RecordKind,
    VerificationCheck,
)
from sunshine.verification.records import KINDS, key_index, to_json
from sunshine.verification.settling import (
    Standing,
    StoredResults,
    Verdict,
    declaration_of,
    facts_from_json,
    settle_standings,
    settle_verdicts,
    stored_results,
)

__all__ = [
    "VerificationReport",
    "adopt_policy",
    "correct_and_recheck",
    "decide_offline_check",
    "declaration_of",
    "import_extract",
    "import_extract_file",
    "validated_policy",
    "verify_round",
]

PURPOSE_RECHECK = "家长更正后重新核验"
_DELETE_CHUNK = 5000


def import_extract(
    actor: Actor, kind: RecordKind, source_name: str, rows: Sequence[Any]
) -> DepartmentExtract:
    """Import a department's extract whole, or refuse it whole with every row's problem.

    A record filed under a key an earlier extract already holds replaces it: an
    extract is the department's current state.
    """
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
        replaced = _drop_superseded(kind, [index for index, _ in payloads])
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
            replaced=replaced,
            sha256=digest,
        )
    return extract


def _drop_superseded(kind: str, indexes: Sequence[str]) -> int:
    if not DepartmentRecord.objects.filter(kind=kind).exists():
        return 0
    dropped = 0
    for start in range(0, len(indexes), _DELETE_CHUNK):
        chunk = indexes[start : start + _DELETE_CHUNK]
        dropped += DepartmentRecord.objects.filter(kind=kind, key_index__in=chunk).delete()[0]
    return dropped


def import_extract_file(
    actor: Actor,
    kind: RecordKind,
    path: Path | str,
    *,
    source_name: str | None = None,
    content: bytes | None = None,
) -> DepartmentExtract:
    """Import a CSV or XLSX extract; ``extracts.ExtractRejected`` names every bad row."""
    rows = extracts.parse_extract(kind, extracts.read_rows(path, content))
    return import_extract(actor, kind, source_name or Path(path).name, rows)


@dataclass(frozen=True)
class VerificationReport:
    checked: int
    verified: int
    review: int
    offline_check: int
    mismatches: int


def verify_round(
    actor: Actor,
    round_: Round,
    *,
    now: dt.datetime | None = None,
    records: Connector | None = None,
    progress: bool = False,
    chunk: int = 500,
    shard: tuple[int, int] = (0, 1),
) -> VerificationReport:
    """Check the round's submitted applications, and ask again what departments left open.

    Applications in review because a department did not answer have only those
    checks run again. Work goes in chunks of one transaction each; ``shard``
    ``(i, n)`` takes every n-th chunk starting at the i-th, so n workers can
    share a round.
    """
    now = now or timezone.now()
    records = records or configured_connector()
    policy = load_policy(round_.term.policy_toml)
    city = city_map()
    context = CheckContext(reference_date=round_.term.reference_date, gazetteer=city.gazetteer)
    zones = {
        school.pk: city.zones.get(round_.level, {}).get(code, ())
        for code, school in city.schools.items()
    }
    ids = _waiting_ids(round_)
    chunks = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]
    mine = chunks[shard[0] :: shard[1]]
    tally: Counter[str] = Counter()
    total = sum(len(c) for c in mine)
    bar = tqdm(total=total, desc=f"核验 verification {round_.level}", disable=not progress)
    for chunk_ids in mine:
        with _no_cycle_collection():
            tally += _verify_chunk(actor, chunk_ids, records, context, zones, policy, now)
        bar.update(len(chunk_ids))
    bar.close()
    return VerificationReport(
        checked=total,
        verified=tally[Status.VERIFIED],
        review=tally[Status.REVIEW],
        offline_check=tally[Status.OFFLINE_CHECK],
        mismatches=tally["mismatch"],
    )


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Suspend the cyclic garbage collector while a chunk is verified.

    A chunk allocates hundreds of thousands of short-lived objects, nearly all
    freed by reference counting; the collector would still walk every live
    object several times per chunk, a sixth of the run's time. Whatever cyclic
    garbage a chunk leaves is collected once it is enabled again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _waiting_ids(round_: Round) -> list[int]:
    submitted = Application.objects.filter(round=round_, status=Status.SUBMITTED)
    retrying = Application.objects.filter(
        round=round_, status=Status.REVIEW, checks__retryable=True
    )
    ids = set(submitted.values_list("pk", flat=True)) | set(retrying.values_list("pk", flat=True))
    return sorted(ids)


# What checking and settling read of an application; its other columns stay in the table.
_VERIFIED_FIELDS = ("status", "declaration_json", "zone_school_id", "child_id")


def _verify_chunk(
    actor: Actor,
    ids: Sequence[int],
    records: Connector,
    context: CheckContext,
    zones: Mapping[int, tuple[AddressUnit, ...]],
    policy: Policy,
    now: dt.datetime,
) -> Counter[str]:
    with transaction.atomic():
        batch = list(
            Application.objects.select_for_update()
            .filter(pk__in=id_set(ids), status__in=[Status.SUBMITTED, Status.REVIEW])
            .only(*_VERIFIED_FIELDS)
            .order_by("pk")
        )
        earlier = stored_results([a.pk for a in batch if a.status == Status.REVIEW])
        declarations = {application.pk: declaration_of(application) for application in batch}
        records.preload(declarations.values())
        verdicts = [
            examine(
                application,
                declarations[application.pk],
                records,
                context,
                _zone(application, zones),
                earlier.get(application.pk),
            )
            for application in batch
        ]
        return settle_verdicts(actor, verdicts, policy, now, purpose=PURPOSE)


def _zone(
    application: Application, zones: Mapping[int, tuple[AddressUnit, ...]]
) -> tuple[AddressUnit, ...]:
    return zones.get(application.zone_school_id or 0, ())


def examine(
    application: Application,
    declaration: Declaration,
    records: Connector,
    context: CheckContext,
    zone: Sequence[AddressUnit],
    earlier: StoredResults | None = None,
    retries: int = 2,
) -> Verdict:
    """Run an application's checks; with ``earlier`` results, only those left retryable.

    A check a department did not answer is asked again ``retries`` times; if it
    still has no answer it stays a retryable review, for a later run.
    """
    results: dict[CheckName, CheckResult] = {}
    attempts: dict[str, int] = {}
    wanted: list[CheckName] | None = None
    if earlier:
        for name, (result, asked) in earlier.items():
            results[name] = result
            attempts[name.value] = asked
        wanted = [name for name, (result, _) in earlier.items() if result.retryable]
    for round_number in range(retries + 1):
        if round_number and not wanted:
            break
        for result in run_checks(declaration, records, context, only=wanted):
            results[result.check] = result
            check = str(result.check)  # its value
            attempts[check] = attempts.get(check, 0) + 1
        wanted = [name for name, result in results.items() if result.retryable]
    applicable = applicable_checks(declaration)
    ordered = [results[name] for name in applicable if name in results]
    facts = derive_facts(ordered, zone, expected=applicable)
    return Verdict(application, ordered, attempts, facts, records.take_queries())


# --- corrections -------------------------------------------------------------------------

CORRECTABLE_STATUSES = {Status.SUBMITTED, Status.VERIFIED, Status.REVIEW, Status.OFFLINE_CHECK}
_TEXT_FIELDS = {"child_name": True, "residence_address": True, "hukou_address": False}
_OPTIONAL_FIELDS = {
    "property_address",
    "rental_registration_no",
    "residence_permit_no",
    "property_certificate_no",
}
_GUARDIAN_FIELD = re.compile(r"^guardians\[(\d)\]\.(name|id_number|relation)$")
FIELD_LABELS = {
    "child_name": "孩子姓名",
    "residence_address": "现居住地址",
    "hukou_address": "户籍地址",
    "property_address": "房产地址",
    "property_certificate_no": "不动产权证号",
    "rental_registration_no": "租赁备案编号",
    "residence_permit_no": "居住证号",
}


def correct_and_recheck(
    actor: Actor,
    application: Application,
    changes: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    records: Connector | None = None,
) -> Application:
    """A family corrects declared fields; this application's checks run again at once.

    ``changes`` maps field names, as check results name them (``property_certificate_no``,
    ``guardians[1].id_number`` …), to new values; an empty value withdraws an optional
    field. The old declaration stays in the audit trail by its hash.
    """
    now = now or timezone.now()
    round_ = application.round
    if application.status not in CORRECTABLE_STATUSES:
        raise ValidationError({"status": "申请已进入录取阶段，不能再更正"})
    if now >= round_.verification_ends:
        raise ValidationError({"status": "核验期已结束，不能再更正"})
    old = application.declaration
    new = corrected_declaration(old, changes, round_.term.reference_date)
    changed = sorted(name for name in changes if _value_at(old, name) != _value_at(new, name))
    if not changed:
        raise ValidationError({"changes": "没有需要更正的内容"})
    city = city_map()
    placed = zone_for_address(new["residence_address"], round_.level, city)
    declaration = declaration_of(Application(declaration_json=json.dumps(new)))
    records = records or configured_connector()
    policy = load_policy(round_.term.policy_toml)
    context = CheckContext(reference_date=round_.term.reference_date, gazetteer=city.gazetteer)
    zone = _zone_units(placed.school.code if placed else None, round_.level, city)
    verdict = examine(application, declaration, records, context, zone)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("zone_school", "child", "round__term")
            .get(pk=application.pk)
        )
        if locked.declaration != old or locked.status not in CORRECTABLE_STATUSES:
            raise ValidationError({"changes": "申请已被修改，请刷新后重新填写"})
        locked.declaration_json = json.dumps(new, ensure_ascii=False)
        if "residence_address" in changed:
            locked.zone_school = placed.school if placed else None
            locked.home_latitude = placed.latitude if placed else None
            locked.home_longitude = placed.longitude if placed else None
        locked.save()
        record(
            actor,
            "application.corrected",
            locked,
            fields=changed,
            old_declaration_sha256=fingerprint(old),
            new_declaration_sha256=fingerprint(new),
        )
        verdict.application = locked
        settle_verdicts(actor, [verdict], policy, now, purpose=PURPOSE_RECHECK)
    return locked


def _zone_units(school_code: str | None, level: str, city: CityMap) -> tuple[AddressUnit, ...]:
    return city.zones.get(level, {}).get(school_code, ()) if school_code else ()


def corrected_declaration(
    declaration: Mapping[str, Any], changes: Mapping[str, Any], reference_date: dt.date
) -> dict[str, Any]:
    """The declaration with ``changes`` applied; ValidationError names every bad field."""
    new: dict[str, Any] = json.loads(json.dumps(declaration))
    guardians = new.get("guardians") or []
    problems: dict[str, str] = {}
    for name, raw in changes.items():
        if not isinstance(raw, str):
            problems[name] = "应为文本"
            continue
        value = raw.strip()
        try:
            guardian = _GUARDIAN_FIELD.match(name)
            if guardian is not None:
                index, part = int(guardian.group(1)), guardian.group(2)
                if index >= len(guardians):
                    raise ValueError(f"没有第{index + 1}位监护人")
                guardians[index][part] = _guardian_value(part, value, reference_date)
            elif name in _TEXT_FIELDS:
                if not value and _TEXT_FIELDS[name]:
                    raise ValueError(f"请填写{FIELD_LABELS[name]}")
                new[name] = value or None
            elif name in _OPTIONAL_FIELDS:
                new[name] = _optional_value(name, value, reference_date)
            else:
                raise ValueError("该项不能在此更正")
        except ValueError as problem:
            problems[name] = str(problem)
    if problems:
        raise ValidationError(problems)
    return new


def _guardian_value(part: str, value: str, reference_date: dt.date) -> str:
    if part == "id_number":
        try:
            return idnumber.parse(value, today=reference_date).value
        except idnumber.InvalidIdNumber as error:
            raise ValueError(error.problem.message) from None
    if part == "relation" and value not in RELATIONS_EN:
        raise ValueError("关系应为：" + "、".join(RELATIONS_EN))
    if not value:
        raise ValueError("请填写监护人姓名")
    return value


def _optional_value(name: str, value: str, reference_date: dt.date) -> str | None:
    if not value:
        return None
    if len(value) > 128:
        raise ValueError(f"{FIELD_LABELS[name]}过长")
    if name == "property_certificate_no" and (
        parse_certificate_no(value, reference_date=reference_date) is None
    ):
        raise ValueError(REASONS[ReasonCode.PROPERTY_CERTIFICATE_FORMAT].zh)
    return value


def _value_at(declaration: Mapping[str, Any], name: str) -> Any:
    guardian = _GUARDIAN_FIELD.match(name)
    if guardian is None:
        return declaration.get(name)
    guardians = declaration.get("guardians") or []
    index = int(guardian.group(1))
    return guardians[index].get(guardian.group(2)) if index < len(guardians) else None


# --- offline checks ----------------------------------------------------------------------


def decide_offline_check(
    actor: Actor, application: Application, *, lives_in_zone: bool, note: str
) -> Application:
    """A school's decision after its home visit for a category-5 family."""
    from sunshine.verification.reviews import decide_offline

    return decide_offline(actor, application, lives_in_zone=lives_in_zone, note=note)


# --- category policy ---------------------------------------------------------------------

_DECIDED = [Status.ADMITTED, Status.UNPLACED, Status.ENROLLED]
_EVALUATED = [Status.VERIFIED, Status.REVIEW, Status.OFFLINE_CHECK]


def validated_policy(text: str) -> Policy:
    """The policy, or ValidationError listing each problem with its line (第N行)."""
    try:
        return load_policy(text)
    except PolicyError as error:
        problems = [f"第{p.line}行：{p.message}" if p.line else p.message for p in error.problems]
        raise ValidationError({"policy": problems}) from None


def adopt_policy(
    actor: Actor, term: Term, policy_text: str, *, now: dt.datetime | None = None
) -> Term:
    """Make ``policy_text`` the term's category policy and re-derive every category from it.

    Refused once admission has decided any application of the term.
    """
    now = now or timezone.now()
    policy = validated_policy(policy_text)
    with transaction.atomic():
        locked = Term.objects.select_for_update().get(pk=term.pk)
        if Application.objects.filter(round__term=locked, status__in=_DECIDED).exists():
            raise ValidationError({"policy": "本学期已有录取结果，不能再更换类别政策"})
        old_sha256 = hashlib.sha256(locked.policy_toml.encode()).hexdigest()
        locked.policy_toml = policy_text
        locked.save(update_fields=["policy_toml"])
        events: list[Event] = []
        statuses: Counter[str] = Counter()
        for standings in _standings_of_term(locked, policy):
            events += settle_standings(actor, standings, policy, now)
            statuses.update(s.status for s in standings)
        record_many(
            actor,
            [
                Event(
                    "term.policy_adopted",
                    "schools.term",
                    str(locked.pk),
                    {
                        "old_sha256": old_sha256,
                        "new_sha256": policy.source_sha256,
                        "re_evaluated": sum(statuses.values()),
                        "statuses": dict(statuses),
                    },
                ),
                *events,
            ],
        )
    return locked


def _standings_of_term(term: Term, policy: Policy, chunk: int = 1000) -> Iterable[list[Standing]]:
    rows = (
        ApplicationFacts.objects.filter(
            application__round__term=term, application__status__in=_EVALUATED
        )
        .select_related("application")
        .order_by("application_id")
    )
    ids = list(rows.values_list("application_id", flat=True))
    for start in range(0, len(ids), chunk):
        part = list(rows.filter(application_id__in=ids[start : start + chunk]))
        waiting: dict[int, set[str]] = {}
        for application_id, code in VerificationCheck.objects.filter(
            application_id__in=[row.application_id for row in part],
            status=CheckStatus.NEEDS_REVIEW,
        ).values_list("application_id", "reason_code"):
            waiting.setdefault(application_id, set()).add(code)
        standings = []
        for row in part:
            facts = facts_from_json(row.values, row.pending, row.overrides)
            standings.append(
                Standing(
                    row.application,
                    facts,
                    evaluate(policy, facts),
                    sorted(waiting.get(row.application_id, ())),
                )
            )
        yield standings
