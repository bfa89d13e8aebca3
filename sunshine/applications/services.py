"""Every write to children, guardians and applications. One transaction, one audit event each."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sunshine.applications.models import Application, Child, Choice, Guardian, Guardianship, Status
from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, record
from sunshine.engine import idnumber
from sunshine.engine.records import Declaration
from sunshine.notifications.services import Announcement, enqueue
from sunshine.privacy.crypto import blind_index
from sunshine.schools import selectors as school_selectors
from sunshine.schools.models import Round, School, SchoolKind

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
EDITABLE = {Status.DRAFT, Status.SUBMITTED}


@dataclass(frozen=True)
class GuardianInput:
    name: str
    id_number: str
    phone: str
    relation: str


def id_index(id_number: str) -> str:
    return blind_index(idnumber.normalise(id_number), "id_number")


def phone_index(phone: str) -> str:
    return blind_index(phone, "phone")


def validated_id_number(raw: str, field: str, today: dt.date) -> idnumber.IdNumber:
    try:
        return idnumber.parse(raw, today=today)
    except idnumber.InvalidIdNumber as error:
        raise ValidationError({field: error.problem.message}) from None


def validated_phone(raw: str, field: str) -> str:
    phone = raw.strip().replace(" ", "").replace("-", "")
    if not _PHONE.match(phone):
        raise ValidationError({field: "手机号码应为11位，以1开头"})
    return phone


def register_child(
    actor: Actor,
    *,
    name: str,
    id_number: str,
    guardians: Sequence[GuardianInput],
    twin_group: str = "",
    today: dt.date | None = None,
) -> Child:
    """Register a child and link the guardians (found by ID number or created)."""
    today = today or timezone.localdate()
    parsed = validated_id_number(id_number, "id_number", today)
    if not name.strip():
        raise ValidationError({"name": "请填写儿童姓名"})
    if not guardians:
        raise ValidationError({"guardians": "请至少填写一位监护人"})
    checked = [
        (
            guardian,
            validated_id_number(guardian.id_number, f"guardians.{i}.id_number", today),
            validated_phone(guardian.phone, f"guardians.{i}.phone"),
        )
        for i, guardian in enumerate(guardians)
    ]
    try:
        return _create_child(actor, name, parsed, twin_group, checked)
    except IntegrityError as error:
        # Two registrations of one child at the same moment (a double tap, two guardians
        # at once): both passed the check below, the database kept the first.
        raise ValidationError({"id_number": ALREADY_REGISTERED}) from error


ALREADY_REGISTERED = "该身份证号码的儿童已登记"


def _create_child(
    actor: Actor,
    name: str,
    parsed: idnumber.IdNumber,
    twin_group: str,
    checked: Sequence[tuple[GuardianInput, idnumber.IdNumber, str]],
) -> Child:
    with transaction.atomic():
        if Child.objects.filter(id_index=id_index(parsed.value)).exists():
            raise ValidationError({"id_number": ALREADY_REGISTERED})
        child = Child.objects.create(
            name=name.strip(),
            id_number=parsed.value,
            id_index=id_index(parsed.value),
            sex=parsed.sex.value,
            birth_date=parsed.birth_date,
            twin_group=twin_group,
        )
        for guardian_input, guardian_id, phone in checked:
            guardian, _ = Guardian.objects.get_or_create(
                id_index=id_index(guardian_id.value),
                defaults={
                    "name": guardian_input.name.strip(),
                    "id_number": guardian_id.value,
                    "phone": phone,
                    "phone_index": phone_index(phone),
                },
            )
            Guardianship.objects.create(
                child=child, guardian=guardian, relation=guardian_input.relation
            )
        record(actor, "child.registered", child, guardians=len(checked))
    return child


def new_reference(round_: Round) -> str:
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{round_.term.year}{round_.level[0].upper()}{code}"


def submit_application(
    actor: Actor,
    *,
    round_: Round,
    child: Child,
    declaration: Declaration,
    private_choices: Sequence[School] = (),
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    city: school_selectors.CityMap | None = None,
) -> Application:
    """Submit (or re-submit, while editable) a child's application in a round.

    A repeated call with the same idempotency key returns the application it
    created the first time, so double taps and retries make one application.
    ``city`` is the gazetteer and zones, for callers submitting many at once.
    """
    now = now or timezone.now()
    if idempotency_key:
        existing = Application.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    _check_round_open(round_, now)
    _check_private_choices(round_, private_choices)
    if declaration.child_id_number != child.id_number:
        raise ValidationError({"child_id_number": "申报的儿童身份证号码与所选儿童不一致"})
    placed = school_selectors.zone_for_address(declaration.residence_address, round_.level, city)
    try:
        with transaction.atomic():
            application, created = Application.objects.select_for_update().get_or_create(
                round=round_,
                child=child,
                defaults={"reference": new_reference(round_), "idempotency_key": idempotency_key},
            )
            if not created and application.status not in EDITABLE:
                raise ValidationError({"status": "申请已进入核验或录取阶段，不能再修改"})
            application.declaration_json = json.dumps(
                dataclasses.asdict(declaration), ensure_ascii=False
            )
            application.status = Status.SUBMITTED
            application.submitted_at = now
            application.zone_school = placed.school if placed else None
            application.home_latitude = placed.latitude if placed else None
            application.home_longitude = placed.longitude if placed else None
            application.save()
            if not created:
                application.choices.all().delete()
            Choice.objects.bulk_create(
                Choice(application=application, rank=rank, school=school)
                for rank, school in enumerate(private_choices, start=1)
            )
            record(
                actor,
                "application.submitted",
                application,
                declaration_sha256=fingerprint(dataclasses.asdict(declaration)),
                zone_school=placed.school.code if placed else None,
                choices=[school.code for school in private_choices],
                first_submission=created,
            )
            enqueue(
                [
                    Announcement(
                        event_key=f"submitted:{application.pk}",
                        phone=guardian.phone,
                        template_id="SUBMITTED",
                        params={"child": child.name, "reference": application.reference},
                    )
                    for guardian in child.guardians.order_by("pk")[:1]
                ],
                now,
            )
    except IntegrityError:
        # Two identical submissions raced; the first one won and is the answer.
        if idempotency_key:
            return Application.objects.get(idempotency_key=idempotency_key)
        raise
    return application


def withdraw_application(actor: Actor, application: Application) -> Application:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in EDITABLE:
            raise ValidationError({"status": "申请已进入核验或录取阶段，不能撤回"})
        locked.status = Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        record(actor, "application.withdrawn", locked)
    return locked


def _check_round_open(round_: Round, now: dt.datetime) -> None:
    if now < round_.registration_opens:
        raise ValidationError({"round": "报名尚未开始"})
    if now >= round_.registration_closes:
        raise ValidationError({"round": "报名已截止"})


def _check_private_choices(round_: Round, schools: Sequence[School]) -> None:
    if schools and not round_.allows_private_choice:
        raise ValidationError({"choices": "本轮报名不能填报民办学校"})
    for school in schools:
        if school.kind != SchoolKind.PRIVATE or school.level != round_.level:
            raise ValidationError({"choices": f"{school.name}不是本学段可填报的民办学校"})
    if len({school.pk for school in schools}) != len(schools):
        raise ValidationError({"choices": "同一所学校只能填报一次"})
