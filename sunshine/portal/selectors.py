"""What a parent may see: their own children and applications, and what to do next.

Every look-up goes through the parent's scope (children whose guardian record
is linked to the account), so another family's child is simply not found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sunshine import handwritten
from sunshine.accounts.models import User
from sunshine.accounts.scopes import children_of, visible_applications
from sunshine.admissions.models import Placement
from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application, Child, Guardian, Guardianship, Status
from sunshine.applications.services import EDITABLE
from sunshine.engine.policy.loader import load_policy
from sunshine.handwritten import Table
from sunshine.portal import explanations
from sunshine.portal.advice import CheckAdvice, advice_for, fact_lines
from sunshine.portal.chances import first_choice_chances
from sunshine.portal.drafts import private_schools
from sunshine.portal.models import Draft
from sunshine.privacy.masking import mask_id_number, mask_name, mask_phone
from sunshine.public.selectors import SchoolDemand, school_demand
from sunshine.schools.models import Level, Round, RoundKind, School, Term
from sunshine.verification.models import CategoryAssignment, CheckStatus, VerificationCheck

# Compulsory education starts in the autumn after the sixth birthday (Compulsory Education
# Law of the PRC, art. 11); the province counts birthdays up to 31 August of the entry year.
SCHOOL_AGE_CUTOFF = (8, 31)
PRIMARY_AGE = 6
JUNIOR_AGE = 11


def my_children(user: User) -> QuerySet[Child]:
    return Child.objects.filter(pk__in=children_of(user)).order_by("birth_date", "pk")


def child_of(user: User, pk: int) -> Child:
    """The parent's child ``pk``; Child.DoesNotExist for anyone else's."""
    return my_children(user).get(pk=pk)


_APPLICATION = Table.whole(Application, "a")
_CHILD = Table.whole(Child, "ch")
_ROUND = Table.whole(Round, "r")
_TERM = Table.whole(Term, "tm")
_ZONE_SCHOOL = Table.whole(School, "z")
_CATEGORY = Table.whole(CategoryAssignment, "cat")
_DRAFT = Table.whole(Draft, "d")
_GUARDIANSHIP = Table(Guardianship, "gs", ())
_GUARDIAN = Table(Guardian, "g", ())
# The ids of the children of the user given as the parameter: the parent's scope of
# sunshine.accounts.scopes, in SQL.
_MY_CHILDREN_SQL = (
    f"(SELECT {_GUARDIANSHIP.column('child')} FROM {_GUARDIANSHIP.name}"
    f" INNER JOIN {_GUARDIAN.name} ON {_GUARDIAN.column('id')} = {_GUARDIANSHIP.column('guardian')}"
    f" WHERE {_GUARDIAN.column('user')} = %s)"
)
_PARENTS_APPLICATION = handwritten.Select(
    (_APPLICATION, _CHILD, _ROUND, _TERM, _ZONE_SCHOOL, _CATEGORY),
    f"FROM {_APPLICATION.name}"
    f" INNER JOIN {_CHILD.name} ON {_CHILD.column('id')} = {_APPLICATION.column('child')}"
    f" INNER JOIN {_ROUND.name} ON {_ROUND.column('id')} = {_APPLICATION.column('round')}"
    f" INNER JOIN {_TERM.name} ON {_TERM.column('id')} = {_ROUND.column('term')}"
    f" LEFT OUTER JOIN {_ZONE_SCHOOL.name}"
    f" ON {_ZONE_SCHOOL.column('id')} = {_APPLICATION.column('zone_school')}"
    f" LEFT OUTER JOIN {_CATEGORY.name}"
    f" ON {_CATEGORY.column('application')} = {_APPLICATION.column('id')}"
    f" WHERE {_APPLICATION.column('id')} = %s"
    f" AND {_APPLICATION.column('child')} IN {_MY_CHILDREN_SQL}",
)
_PARENTS_DRAFT = handwritten.Select(
    (_DRAFT, _CHILD, _ROUND, _TERM),
    f"FROM {_DRAFT.name}"
    f" INNER JOIN {_CHILD.name} ON {_CHILD.column('id')} = {_DRAFT.column('child')}"
    f" INNER JOIN {_ROUND.name} ON {_ROUND.column('id')} = {_DRAFT.column('round')}"
    f" INNER JOIN {_TERM.name} ON {_TERM.column('id')} = {_ROUND.column('term')}"
    f" WHERE {_DRAFT.column('id')} = %s AND {_DRAFT.column('user')} = %s"
    f" AND {_DRAFT.column('child')} IN {_MY_CHILDREN_SQL}",
)


def application_of(user: User, pk: int) -> Application:
    """The parent's application ``pk``; Application.DoesNotExist for anyone else's.

    With its child, round and term, zone school and category, in one query. Every status
    poll starts here, so the query is written by hand (see :mod:`sunshine.handwritten`).
    It is the parent's scope of :func:`sunshine.accounts.scopes.visible_applications`
    (applications of the children linked to the account); callers are parents' pages and
    API calls, whose tokens only parents hold.
    """
    found = _PARENTS_APPLICATION.first([pk, user.pk])
    if found is None:
        raise Application.DoesNotExist("Application matching query does not exist.")
    application, child, round_, term, zone_school, category = found
    _attach_child_and_round(application, child, round_, term)
    handwritten.attach(application, "zone_school", zone_school)
    # None too: reading application.category then raises DoesNotExist without a query.
    handwritten.attach(application, "category", category)
    if category is not None:
        handwritten.attach(category, "application", application)
    return application


def draft_of(user: User, pk: int) -> Draft:
    """The parent's own draft ``pk`` of one of their children, with the child, round and
    term; Draft.DoesNotExist for any other. Every autosave starts here, so the query is
    written by hand (see :mod:`sunshine.handwritten`)."""
    found = _PARENTS_DRAFT.first([pk, user.pk, user.pk])
    if found is None:
        raise Draft.DoesNotExist("Draft matching query does not exist.")
    draft, child, round_, term = found
    _attach_child_and_round(draft, child, round_, term)
    handwritten.attach(draft, "user", user)  # the query asked for this user's draft
    return draft


def _attach_child_and_round(
    owner: Application | Draft, child: Child, round_: Round, term: Term
) -> None:
    handwritten.attach(round_, "term", term)
    handwritten.attach(owner, "child", child)
    handwritten.attach(owner, "round", round_)


def age_on_cutoff(birth_date: dt.date, year: int) -> int:
    month, day = SCHOOL_AGE_CUTOFF
    cutoff = dt.date(year, month, day)
    return (
        cutoff.year
        - birth_date.year
        - ((cutoff.month, cutoff.day) < (birth_date.month, birth_date.day))
    )


def level_for(birth_date: dt.date, year: int) -> str | None:
    """The entry level a child of this age applies to in ``year``, or None if too young."""
    age = age_on_cutoff(birth_date, year)
    if age >= JUNIOR_AGE:
        return Level.JUNIOR
    if age >= PRIMARY_AGE:
        return Level.PRIMARY
    return None


@dataclass(frozen=True)
class RoundOption:
    round: Round
    state: str  # "open", "upcoming" or "closed"
    application: Application | None
    draft: Draft | None


def rounds_for(user: User, child: Child, now: dt.datetime | None = None) -> list[RoundOption]:
    """Rounds this child may apply in (by age), open or coming, and those it applied in."""
    now = now or timezone.now()
    applied = {a.round_id: a for a in child.applications.select_related("round__term")}
    drafts = {d.round_id: d for d in Draft.objects.filter(user=user, child=child)}
    placed_terms = {
        a.round.term_id for a in applied.values() if a.status in (Status.ADMITTED, Status.ENROLLED)
    }
    options = []
    for round_ in Round.objects.select_related("term").order_by("-term__year", "kind"):
        fits = level_for(child.birth_date, round_.term.year) == round_.level
        # The supplementary round is for children without a place in that year.
        fits = fits and not (
            round_.kind == RoundKind.SUPPLEMENTARY and round_.term_id in placed_terms
        )
        if now < round_.registration_opens:
            state = "upcoming"
        elif now < round_.registration_closes:
            state = "open"
        else:
            state = "closed"
        if round_.pk in applied or (fits and state != "closed"):
            options.append(
                RoundOption(round_, state, applied.get(round_.pk), drafts.get(round_.pk))
            )
    return options


@dataclass(frozen=True)
class ChildCard:
    child: Child
    masked_id: str
    guardians: list[tuple[str, str, str]]  # name, relation, masked phone
    twins: list[Child]
    level: str | None
    rounds: list[RoundOption]


def child_card(user: User, child: Child, now: dt.datetime | None = None) -> ChildCard:
    links = Guardianship.objects.filter(child=child).select_related("guardian").order_by("pk")
    twins = (
        list(Child.objects.filter(twin_group=child.twin_group).exclude(pk=child.pk))
        if child.twin_group
        else []
    )
    year = (now or timezone.now()).year
    return ChildCard(
        child=child,
        masked_id=mask_id_number(child.id_number),
        guardians=[
            (link.guardian.name, link.relation, mask_phone(link.guardian.phone)) for link in links
        ],
        twins=twins,
        level=level_for(child.birth_date, year),
        rounds=rounds_for(user, child, now),
    )


def round_is_open(round_: Round, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return round_.registration_opens <= now < round_.registration_closes


@dataclass(frozen=True)
class SchoolChoice:
    demand: SchoolDemand
    chance: float | None  # estimated probability when listed first, if the engine gives one


def choice_options(round_: Round) -> list[SchoolChoice]:
    """Private schools of the round with seats, applicants so far and the estimated chance."""
    offered = {school.code for school in private_schools(round_)}
    demand = [d for d in school_demand(round_) if d.code in offered]
    chances = first_choice_chances(round_, [d.code for d in demand])
    return [SchoolChoice(d, chances.get(d.code)) for d in demand]


# Status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckLine:
    check: VerificationCheck
    title: str
    message: str
    advice: CheckAdvice
    tone: str  # "ok", "bad" or "wait"


@dataclass(frozen=True)
class CategoryView:
    number: int
    name: str
    description: str
    reasons: list[str]
    offline_check: bool


@dataclass
class StatusView:
    application: Application
    masked_id: str
    checks: list[CheckLine]
    category: CategoryView | None
    placement: Placement | None
    explanation: list[explanations.Row]
    editable: bool
    withdrawable: bool
    can_confirm: bool
    notice_available: bool
    supplementary: Round | None
    next_step: str
    failed_checks: list[CheckLine] = field(default_factory=list)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _check_lines(application: Application) -> list[CheckLine]:
    lines = []
    for check in application.checks.order_by("pk"):
        message = check.message_en if _english() and check.message_en else check.message_zh
        tone = {
            CheckStatus.VERIFIED: "ok",
            CheckStatus.PENDING: "wait",
            CheckStatus.NEEDS_REVIEW: "wait",
        }.get(CheckStatus(check.status), "bad")
        lines.append(CheckLine(check, advice_for(check).title, message, advice_for(check), tone))
    return lines


def _assignment(application: Application) -> CategoryAssignment | None:
    # Read through the relation, so a caller that selected it with the application
    # (as the status poll does) saves a query.
    try:
        return application.category  # type: ignore[no-any-return]
    except CategoryAssignment.DoesNotExist:
        return None


def _category(assignment: CategoryAssignment | None, application: Application) -> Any:
    if assignment is None:
        return None
    description, name = "", assignment.name
    try:
        rule = load_policy(application.round.term.policy_toml).category(assignment.category)
        description = rule.description
        if _english() and rule.name_en:
            name = rule.name_en
    except (KeyError, ValueError):
        pass
    return CategoryView(
        number=assignment.category,
        name=name,
        description=description,
        reasons=fact_lines(assignment.reasons),
        offline_check=assignment.offline_check,
    )


def supplementary_round(application: Application, now: dt.datetime | None = None) -> Round | None:
    """The supplementary round of the same year and level, once its registration has opened."""
    now = now or timezone.now()
    return (
        Round.objects.filter(
            term=application.round.term,
            level=application.round.level,
            kind=RoundKind.SUPPLEMENTARY,
            registration_opens__lte=now,
            registration_closes__gt=now,
        )
        .exclude(pk=application.round_id)
        .first()
    )


def status_of(application: Application, now: dt.datetime | None = None) -> StatusView:
    now = now or timezone.now()
    status = Status(application.status)
    placement = placement_of(application)
    checks = _check_lines(application)
    assignment = _assignment(application)
    supplementary = supplementary_round(application, now) if status == Status.UNPLACED else None
    view = StatusView(
        application=application,
        masked_id=mask_id_number(application.child.id_number),
        checks=checks,
        category=_category(assignment, application),
        placement=placement,
        explanation=explanations.rows(placement) if placement else [],
        editable=status in EDITABLE and round_is_open(application.round, now),
        withdrawable=status in EDITABLE,
        can_confirm=status == Status.ADMITTED,
        notice_available=status in (Status.ADMITTED, Status.ENROLLED)
        and placement is not None
        and placement.school is not None,
        supplementary=supplementary,
        next_step="",
        failed_checks=[line for line in checks if line.tone == "bad"],
    )
    view.next_step = _next_step(view, now)
    return view


def _next_step(view: StatusView, now: dt.datetime) -> str:
    status = Status(view.application.status)
    round_ = view.application.round
    if status == Status.DRAFT:
        return _("申请尚未提交，请继续填写并提交。")
    if status == Status.SUBMITTED:
        if round_is_open(round_, now):
            return _("已提交。报名截止前可以修改或撤回；截止后平台向有关部门核验，请留意短信。")
        return _("已提交，正在向有关部门核验，请留意短信。")
    if status == Status.REVIEW:
        return _("部分信息需要工作人员人工审核，审核结果会短信通知您。")
    if status == Status.OFFLINE_CHECK:
        return _("学校将入户核查实际居住情况，请保持电话畅通。")
    if status == Status.VERIFIED:
        if view.failed_checks:
            return _("核验已完成，但有未通过的项目，可能影响招生类别。请查看下方原因并按提示处理。")
        return _("核验已完成，请等待摇号和录取结果（%(date)s 公布）。") % {
            "date": timezone.localtime(round_.results_on).strftime("%Y-%m-%d")
        }
    if status == Status.ADMITTED:
        return _("已录取。请下载录取通知书，并确认就读。")
    if status == Status.ENROLLED:
        return _("已确认就读。请按学校通知的时间带录取通知书到校报到。")
    if status == Status.UNPLACED:
        if view.supplementary is not None:
            return _("本轮未录取。补报名已开放，请尽快填报。")
        return _("本轮未录取。补报名开放时我们会短信通知您。")
    return _("申请已撤回。")


def my_applications(user: User) -> list[Application]:
    return list(
        visible_applications(user)
        .select_related("child", "round__term", "zone_school")
        .order_by("-created_at")
    )


def masked_child_name(child: Child) -> str:
    return mask_name(child.name)
