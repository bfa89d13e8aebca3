"""Every write a parent makes, from the pages or the API. One transaction each.

Children, submissions, withdrawals and enrollment confirmations each write
their audit event. Draft autosaves do not: a draft is the family's private
scratch until it is submitted, and the submission records what was declared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.accounts.models import User
from sunshine.admissions.selectors import placement_of
from sunshine.applications import services as applications
from sunshine.applications.models import Application, Child, Guardian, Status
from sunshine.audit.chain import canonical_json
from sunshine.audit.services import Actor, record
from sunshine.engine.records import Declaration
from sunshine.portal import drafts
from sunshine.portal.models import Draft, SubmissionReceipt, new_idempotency_key
from sunshine.portal.privacy_notice import NOTICE_SHA256, NOTICE_VERSION
from sunshine.privacy.crypto import blind_index
from sunshine.schools.models import Round, School

RELATIONS = ("父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母", "其他监护人")


@dataclasses.dataclass(frozen=True)
class ParentInput:
    """The logged-in parent as a guardian of the child being added."""

    name: str
    id_number: str
    relation: str


def _parent_phone(user: User) -> str:
    if user.phone:
        return str(user.phone)
    linked = Guardian.objects.filter(user=user).order_by("pk").first()
    if linked is None:
        raise ValidationError({"phone": _("请先用手机号和短信验证码登录")})
    return str(linked.phone)


def _check_relation(relation: str, field: str) -> None:
    if relation not in RELATIONS:
        raise ValidationError({field: _("请选择与孩子的关系")})


def add_child(
    actor: Actor,
    user: User,
    *,
    name: str,
    id_number: str,
    parent: ParentInput,
    other_guardian: applications.GuardianInput | None = None,
    twin_of: Child | None = None,
    today: dt.date | None = None,
) -> Child:
    """Register a child with the parent (and optionally a second guardian) linked.

    The parent's own guardian record is tied to the account only when it
    carries the phone number the parent logged in with; an ID number typed into
    a form proves nothing.
    """
    today = today or timezone.localdate()
    _check_relation(parent.relation, "relation")
    if other_guardian is not None:
        _check_relation(other_guardian.relation, "other_relation")
    phone = _parent_phone(user)
    guardians = [applications.GuardianInput(parent.name, parent.id_number, phone, parent.relation)]
    if other_guardian is not None:
        guardians.append(other_guardian)
    parent_id = applications.validated_id_number(parent.id_number, "parent_id_number", today)
    if twin_of is not None and not twin_of.guardians.filter(user=user).exists():
        raise ValidationError({"twin_of": _("只能关联您自己登记的孩子")})
    with transaction.atomic():
        existing = Guardian.objects.filter(id_index=applications.id_index(parent_id.value)).first()
        if existing is not None and existing.user_id != user.pk:
            if existing.user_id is not None:
                raise ValidationError(
                    {"parent_id_number": _("该身份证号码已关联其他账号，请用登记的手机号登录")}
                )
            if existing.phone_index != applications.phone_index(phone):
                raise ValidationError(
                    {
                        "parent_id_number": _(
                            "该监护人登记的手机号与当前登录的手机号不同，请用登记的手机号登录"
                        )
                    }
                )
        if Child.objects.filter(id_index=applications.id_index(id_number)).exists():
            raise ValidationError(
                {
                    "id_number": _(
                        "该儿童已由其他监护人登记。如您是登记时填写的监护人，用当时填写的手机号登录即可看到"
                    )
                }
            )
        child = applications.register_child(
            actor, name=name, id_number=id_number, guardians=guardians, today=today
        )
        Guardian.objects.filter(id_index=applications.id_index(parent_id.value)).update(user=user)
        record(actor, "guardian.linked_to_account", child, account=user.get_username())
        if twin_of is not None:
            _link_twins(actor, child, twin_of)
    return child


def _link_twins(actor: Actor, child: Child, twin: Child) -> None:
    if child.birth_date != twin.birth_date:
        raise ValidationError({"twin_of": _("双胞胎（多胞胎）的出生日期应相同，请核对身份证号码")})
    group = twin.twin_group or f"T{secrets.token_hex(8)}"
    Child.objects.filter(pk__in=[child.pk, twin.pk]).update(twin_group=group)
    child.twin_group = group
    record(actor, "child.twins_linked", child, twin=twin.pk)


# Drafts -------------------------------------------------------------------------------


def open_draft(
    actor: Actor, user: User, child: Child, round_: Round, now: dt.datetime | None = None
) -> Draft:
    """The draft for this child and round, started from the application when one exists."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = Draft.objects.filter(user=user, child=child, round=round_).first()
        if draft is not None:
            return draft
        application = Application.objects.filter(child=child, round=round_).first()
        data: dict[str, Any] = {}
        if application is not None and application.status != Status.WITHDRAWN:
            choices = [c.school.code for c in application.choices.select_related("school")]
            data = drafts.data_from_declaration(application.declaration, choices)
        draft = Draft.objects.create(
            user=user,
            child=child,
            round=round_,
            data_json=canonical_json(data),
            created_at=now,
            updated_at=now,
        )
        record(actor, "application.draft_started", draft, child=child.pk, round=round_.pk)
    return draft


def save_draft(
    draft: Draft,
    values: Mapping[str, Any],
    *,
    step: str | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """Merge typed values into the draft. Nothing is refused here: what was typed is kept."""
    now = now or timezone.now()
    changes = drafts.clean_partial(values)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        # A draft's child and round never change: keep the ones the caller has read.
        locked.child, locked.round = draft.child, draft.round
        locked.data_json = canonical_json({**locked.data, **changes})
        if step:
            locked.step = step
        locked.updated_at = now
        locked.save(update_fields=["data_json", "step", "updated_at"])
    return locked


def save_step(
    draft: Draft, step: str, values: Mapping[str, Any], now: dt.datetime | None = None
) -> Draft:
    """Keep the step's values, then check them; a ValidationError leaves them saved."""
    fields = next(s.fields for s in drafts.steps_for(draft.round) if s.name == step)
    # An unticked box is absent from a form post: absent means "no" for this step's boxes.
    unticked = {name: False for name in drafts.FLAG_FIELDS if name in fields and name not in values}
    saved = save_draft(draft, {**values, **unticked}, step=step, now=now)
    drafts.check_step(step, saved.data, saved.round)
    return saved


def discard_draft(actor: Actor, draft: Draft) -> None:
    with transaction.atomic():
        record(actor, "application.draft_discarded", draft)
        draft.delete()


# Submission ---------------------------------------------------------------------------


def request_digest(
    round_: Round, child: Child, declaration: Declaration, choices: Sequence[School]
) -> str:
    """A keyed hash of a submission, telling a retry from a different request."""
    body = {
        "round": round_.pk,
        "child": child.pk,
        "declaration": dataclasses.asdict(declaration),
        "choices": [school.code for school in choices],
    }
    return blind_index(canonical_json(body), "submission")


def _valid_key(key: str) -> str:
    key = (key or "").strip()
    if not 16 <= len(key) <= 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise ValidationError(
            {"idempotency_key": _("幂等键应为16至64位字母、数字、连字符或下划线")}
        )
    return key


class KeyReused(ValidationError):
    """The idempotency key was used before for a different submission."""


def submit_once(
    actor: Actor,
    user: User,
    *,
    round_: Round,
    child: Child,
    declaration: Declaration,
    private_choices: Sequence[School],
    key: str,
    now: dt.datetime | None = None,
    after: Callable[[Application], None] | None = None,
) -> Application:
    """Submit under an idempotency key: a retry with the same key returns the same application.

    The key belongs to the account, so a page and an app of the same parent
    share it. ``after`` runs inside the submission's transaction.
    """
    now = now or timezone.now()
    key = _valid_key(key)
    scope = f"user:{user.pk}"
    digest = request_digest(round_, child, declaration, private_choices)
    receipt = SubmissionReceipt.objects.filter(scope=scope, key=key).first()
    if receipt is not None:
        return _replayed(receipt, digest)
    try:
        with transaction.atomic():
            application = applications.submit_application(
                actor,
                round_=round_,
                child=child,
                declaration=declaration,
                private_choices=private_choices,
                now=now,
            )
            SubmissionReceipt.objects.create(
                scope=scope,
                key=key,
                request_sha256=digest,
                application=application,
                privacy_notice=NOTICE_VERSION,
                created_at=now,
            )
            record(
                actor,
                "application.consent_recorded",
                application,
                privacy_notice=NOTICE_VERSION,
                notice_sha256=NOTICE_SHA256,
            )
            if after is not None:
                after(application)
    except IntegrityError:
        # The same key raced in from a second tap or a retry; the first one is the answer.
        receipt = SubmissionReceipt.objects.filter(scope=scope, key=key).first()
        if receipt is None:
            raise ValidationError(
                {"idempotency_key": _("另一次提交正在处理，请稍后刷新查看结果")}
            ) from None
        return _replayed(receipt, digest)
    return application


def _replayed(receipt: SubmissionReceipt, digest: str) -> Application:
    if receipt.request_sha256 != digest:
        raise KeyReused(
            {"idempotency_key": _("该页面已过期（内容与上次提交不同），请重新核对后提交")}
        )
    return receipt.application


def submit_draft(
    actor: Actor,
    draft: Draft,
    *,
    key: str,
    consent: bool,
    now: dt.datetime | None = None,
) -> Application:
    """Submit a draft once the family has read the notice and consented."""
    now = now or timezone.now()
    if not consent:
        raise ValidationError({"consent": _("请阅读个人信息处理告知，勾选同意后再提交")})
    data = draft.data
    drafts.check_all(data, draft.round)
    declaration = drafts.declaration_from(data, draft.child)
    choices = drafts.chosen_schools(data, draft.round)

    def rotate_key(application: Application) -> None:
        Draft.objects.filter(pk=draft.pk).update(
            idempotency_key=new_idempotency_key(), submitted_at=now, updated_at=now
        )

    return submit_once(
        actor,
        draft.user,
        round_=draft.round,
        child=draft.child,
        declaration=declaration,
        private_choices=choices,
        key=key,
        now=now,
        after=rotate_key,
    )


def withdraw(actor: Actor, application: Application) -> Application:
    return applications.withdraw_application(actor, application)


def confirm_enrollment(
    actor: Actor, application: Application, now: dt.datetime | None = None
) -> Application:
    """The family confirms the child will attend the admitting school (确认就读)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == Status.ENROLLED:
            return locked
        if locked.status != Status.ADMITTED:
            raise ValidationError({"status": _("只有已录取的申请才能确认就读")})
        placement = placement_of(locked)
        if placement is None or placement.school is None:
            raise ValidationError({"status": _("未找到录取学校，请联系学校")})
        locked.status = Status.ENROLLED
        locked.save(update_fields=["status", "updated_at"])
        record(
            actor,
            "application.enrollment_confirmed",
            locked,
            school=placement.school.code,
            run=placement.run_id,
        )
    return locked
