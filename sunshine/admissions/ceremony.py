"""Lottery ceremonies (公开摇号仪式): freeze, announce, enter, draw, redraw, admit.

The order is the point: the entry list is frozen and published before any
randomness exists; the seed sources are announced while nobody can know their
values; the values are entered at the ceremony (typed by two people, or checked
against the drand network's key); only then is the draw computed. Each step is
one transaction with its audit event, and each step closes the one before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sunshine import __version__
from sunshine.admissions import ceremony_selectors as selectors
from sunshine.admissions.lottery import seed_for
from sunshine.admissions.models import (
    AdmissionRun,
    Ceremony,
    CeremonyEntry,
    CeremonyPurpose,
    CeremonyRun,
    CeremonySource,
    CeremonyStatus,
    LotteryDraw,
    ObserverRole,
    SourceKind,
    TypedValue,
)
from sunshine.admissions.services import preview_admission
from sunshine.audit.services import Actor, record
from sunshine.engine.lottery import entry_list_hash
from sunshine.engine.lottery.drand import (
    CHAINS,
    DrandRound,
    DrandVerificationError,
    drand_source,
)
from sunshine.engine.lottery.record import build_record
from sunshine.engine.lottery.sources import (
    LOTTERY_GAMES,
    Source,
    TwoPersonMismatch,
    accept_two_person_entry,
    lottery_source,
    lottery_source_name,
    lottery_value,
    normalise_typed,
    onsite_source,
)
from sunshine.schools.models import Round, School


def create_ceremony(
    actor: Actor,
    *,
    title: str,
    round_: Round,
    purpose: str,
    school: School | None = None,
    scheduled_at: dt.datetime | None = None,
    venue: str = "",
    now: dt.datetime | None = None,
) -> Ceremony:
    """A ceremony whose entry list is not yet frozen."""
    now = now or timezone.now()
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "请填写摇号名称"
    if purpose not in CeremonyPurpose.values:
        errors["purpose"] = "请选择摇号用途"
    elif purpose == CeremonyPurpose.ADMISSION and school is not None:
        errors["school"] = "本轮录取摇号覆盖全轮所有学校，不能只选一所学校"
    if school is not None and school.level != round_.level:
        errors["school"] = "该学校不属于本批次的学段"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ceremony = Ceremony.objects.create(
            title=title,
            round=round_,
            school=school,
            purpose=purpose,
            scheduled_at=scheduled_at,
            venue=venue.strip(),
            created_by=actor.name,
            created_at=now,
        )
        record(actor, "ceremony.created", ceremony, title=title, purpose=purpose)
    return ceremony


def freeze_entry_list(actor: Actor, ceremony: Ceremony, now: dt.datetime | None = None) -> Ceremony:
    """Fix and publish the entry list with its SHA-256; from now on it never changes."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(ceremony)
        if locked.status != CeremonyStatus.DRAFT:
            raise ValidationError({"entries": "参与名单已经冻结，不能再次冻结或修改"})
        candidates = selectors.candidate_entries(locked)
        if not candidates.lines:
            raise ValidationError({"entries": "没有已核验的申请，名单为空，不能冻结"})
        codes = [line.code for line in candidates.lines]
        CeremonyEntry.objects.bulk_create(
            [
                CeremonyEntry(
                    ceremony=locked,
                    position=position,
                    code=line.code,
                    masked_name=line.masked_name,
                    masked_id=line.masked_id,
                )
                for position, line in enumerate(candidates.lines, start=1)
            ],
            batch_size=1000,
        )
        locked.entry_count = len(codes)
        locked.entry_list_sha256 = entry_list_hash(codes)
        locked.frozen_at = now
        locked.frozen_by = actor.name
        locked.status = CeremonyStatus.FROZEN
        locked.save()
        record(
            actor,
            "ceremony.frozen",
            locked,
            entries=locked.entry_count,
            entry_list_sha256=locked.entry_list_sha256,
            pending_applications=candidates.pending,
        )
    return locked


def announce_lottery(
    actor: Actor,
    ceremony: Ceremony,
    *,
    game: str,
    draw_number: str,
    draw_date: dt.date,
    now: dt.datetime | None = None,
) -> CeremonySource:
    """Announce a future public lottery draw (福彩 / 体彩 game and 期号) as a seed source."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if game not in LOTTERY_GAMES:
        errors["game"] = "请选择福彩或体彩的玩法"
    name = ""
    try:
        name = lottery_source_name(game, draw_number)
    except ValueError:
        errors["draw_number"] = "期号只能由字母和数字组成，例如 2024186"
    if len(normalise_typed(draw_number)) > 32:
        errors["draw_number"] = "期号不能超过 32 个字符"
    if draw_date < timezone.localdate(now):
        errors["draw_date"] = "开奖日期已过：只能公布尚未开奖的一期"
    if errors:
        raise ValidationError(errors)
    return _announce(
        actor,
        ceremony,
        now,
        kind=SourceKind.LOTTERY,
        name=name,
        lottery_game=game,
        lottery_draw_number=normalise_typed(draw_number),
        lottery_draw_date=draw_date,
    )


def announce_drand(
    actor: Actor,
    ceremony: Ceremony,
    *,
    chain: str,
    round_number: int,
    now: dt.datetime | None = None,
) -> CeremonySource:
    """Announce a future drand round; its value is checked against the network's key later."""
    now = now or timezone.now()
    if chain not in CHAINS:
        raise ValidationError({"chain": "请选择 drand 网络（quicknet 或 default）"})
    if round_number < 1:
        raise ValidationError({"round_number": "drand 轮次是正整数"})
    if selectors.drand_round_time(chain, round_number) <= now:
        raise ValidationError(
            {"round_number": "该 drand 轮次已经产生：只能公布未来的轮次，谁都还不知道它的数值"}
        )
    return _announce(
        actor,
        ceremony,
        now,
        kind=SourceKind.DRAND,
        name=f"drand:{chain}:{round_number}",
        drand_chain=chain,
        drand_round=round_number,
    )


def announce_onsite(
    actor: Actor,
    ceremony: Ceremony,
    *,
    observer_name: str,
    observer_role: str,
    now: dt.datetime | None = None,
) -> CeremonySource:
    """Announce that a named observer will contribute a number on site."""
    now = now or timezone.now()
    observer_name = observer_name.strip()
    errors: dict[str, str] = {}
    if not observer_name:
        errors["observer_name"] = "请填写现场提供数字的监督员姓名"
    if observer_role not in ObserverRole.values:
        errors["observer_role"] = "请选择监督员身份"
    if errors:
        raise ValidationError(errors)
    same_role = ceremony.sources.filter(kind=SourceKind.ONSITE, observer_role=observer_role).count()
    return _announce(
        actor,
        ceremony,
        now,
        kind=SourceKind.ONSITE,
        name=f"onsite:{observer_role}-{same_role + 1}",
        observer_name=observer_name,
        observer_role=observer_role,
    )


def _announce(
    actor: Actor, ceremony: Ceremony, now: dt.datetime, **fields: object
) -> CeremonySource:
    with transaction.atomic():
        locked = _locked(ceremony)
        if locked.status == CeremonyStatus.DRAFT:
            raise ValidationError({"sources": "请先冻结并公布参与名单，再公布随机数来源"})
        if locked.status != CeremonyStatus.FROZEN:
            raise ValidationError(
                {"sources": "随机数来源的公布已经截止：录入数值或摇号之后不能再增加来源"}
            )
        if locked.sources.filter(name=fields["name"]).exists():
            raise ValidationError({"sources": f"来源 {fields['name']} 已经公布过"})
        source = CeremonySource(
            ceremony=locked,
            position=locked.sources.count() + 1,
            announced_at=now,
            announced_by=actor.name,
            **fields,
        )
        source.save()
        record(
            actor,
            "ceremony.source_announced",
            locked,
            source=source.name,
            kind=source.kind,
            description=selectors.describe_source(source),
        )
    return source


def close_announcements(
    actor: Actor, ceremony: Ceremony, now: dt.datetime | None = None
) -> Ceremony:
    """Close the list of sources: from now on values may be entered, and no source added."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(ceremony)
        if locked.status != CeremonyStatus.FROZEN:
            raise ValidationError({"sources": "只有名单已冻结、尚未截止公布的摇号才能截止公布来源"})
        names = list(locked.sources.order_by("position").values_list("name", flat=True))
        if not names:
            raise ValidationError({"sources": "请至少公布一个随机数来源"})
        locked.announced_at = now
        locked.status = CeremonyStatus.ANNOUNCED
        locked.save()
        record(actor, "ceremony.announcements_closed", locked, sources=names)
    return locked


@dataclass(frozen=True)
class Typing:
    """What happened to one typing of a two-person value."""

    accepted: bool
    source: CeremonySource


def enter_value(
    actor: Actor, source: CeremonySource, typed: str, now: dt.datetime | None = None
) -> Typing:
    """One person's independent typing of a lottery result or on-site number.

    The first typing waits; the second, by a different person, is compared
    with it. When they agree the value is accepted; when they differ nothing
    is accepted, both typings are set aside (and logged), and both people type
    again.
    """
    now = now or timezone.now()
    if source.kind == SourceKind.DRAND:
        raise ValidationError({"value": "drand 数值请录入轮次签名，由系统用网络公钥核验"})
    with transaction.atomic():
        locked_source = _locked_source(source)
        value = _canonical_typing(locked_source, typed)
        first = selectors.waiting_typing(locked_source)
        if first is None:
            TypedValue.objects.create(
                source=locked_source, typed_by=actor.name, value=value, typed_at=now
            )
            record(actor, "ceremony.value_typed", locked_source.ceremony, source=source.name)
            return Typing(accepted=False, source=locked_source)
        if first.typed_by == actor.name:
            raise ValidationError(
                {"value": f"来源 {source.name}：您已录入过一次，须由另一位工作人员独立录入"}
            )
        try:
            agreed = accept_two_person_entry(first.value, value)
        except TwoPersonMismatch as mismatch:
            _set_aside(actor, locked_source, first, value, now, mismatch)
            agreed = None
        if agreed is not None:
            _accept_typed(actor, locked_source, first, agreed, now)
    if agreed is None:
        raise ValidationError(
            {
                "value": f"来源 {source.name}（{selectors.describe_source(source)}）"
                "两次录入不一致，未被接受：请两人重新各自录入"
            }
        )
    return Typing(accepted=True, source=locked_source)


def _canonical_typing(source: CeremonySource, typed: str) -> str:
    if source.kind == SourceKind.LOTTERY:
        try:
            return lottery_value(source.lottery_game, typed)
        except ValueError as error:
            game = LOTTERY_GAMES[source.lottery_game]
            raise ValidationError(
                {"value": f"来源 {source.name}：不是{game.name}的开奖号码格式（{error}）"}
            ) from error
    value = normalise_typed(typed)
    if not value:
        raise ValidationError({"value": f"来源 {source.name}：请录入数字"})
    return value


def _set_aside(
    actor: Actor,
    source: CeremonySource,
    first: TypedValue,
    second: str,
    now: dt.datetime,
    mismatch: TwoPersonMismatch,
) -> None:
    first.outcome = TypedValue.Outcome.MISMATCH
    first.save(update_fields=["outcome"])
    TypedValue.objects.create(
        source=source,
        typed_by=actor.name,
        value=second,
        typed_at=now,
        outcome=TypedValue.Outcome.MISMATCH,
    )
    record(
        actor,
        "ceremony.value_mismatch",
        source.ceremony,
        source=source.name,
        typists=[first.typed_by, actor.name],
        first_difference_at=mismatch.position,
    )


def _accept_typed(
    actor: Actor, source: CeremonySource, first: TypedValue, agreed: str, now: dt.datetime
) -> None:
    if source.kind == SourceKind.LOTTERY:
        engine = lottery_source(source.lottery_game, source.lottery_draw_number, agreed)
    else:
        engine = onsite_source(source.name.removeprefix("onsite:"), agreed, agreed)
    if engine.name != source.name:
        raise AssertionError(f"the engine names {source.name!r} {engine.name!r}")
    first.outcome = TypedValue.Outcome.AGREED
    first.save(update_fields=["outcome"])
    TypedValue.objects.create(
        source=source,
        typed_by=actor.name,
        value=agreed,
        typed_at=now,
        outcome=TypedValue.Outcome.AGREED,
    )
    _store_value(
        actor, source, engine.value, dict(engine.evidence), [first.typed_by, actor.name], now
    )


def enter_drand_round(
    actor: Actor,
    source: CeremonySource,
    *,
    signature: str,
    previous_signature: str = "",
    now: dt.datetime | None = None,
) -> CeremonySource:
    """Accept a drand round's value after checking its signature against the network's key."""
    now = now or timezone.now()
    if source.kind != SourceKind.DRAND:
        raise ValidationError({"signature": "只有 drand 来源需要录入签名"})
    try:
        beacon = DrandRound(
            chain=source.drand_chain,
            round=int(source.drand_round or 0),
            signature=signature.strip().lower(),
            previous_signature=previous_signature.strip().lower(),
        )
        engine = drand_source(beacon)
    except DrandVerificationError as error:
        raise ValidationError(
            {
                "signature": f"来源 {source.name}：签名核验失败，"
                f"不是 drand 网络对该轮次的签名（{error}）"
            }
        ) from error
    except ValueError as error:
        raise ValidationError(
            {"signature": f"来源 {source.name}：签名应为十六进制小写字符（{error}）"}
        ) from error
    with transaction.atomic():
        locked_source = _locked_source(source)
        _store_value(actor, locked_source, engine.value, dict(engine.evidence), [actor.name], now)
    return locked_source


def _store_value(
    actor: Actor,
    source: CeremonySource,
    value: str,
    evidence: dict[str, object],
    typists: list[str],
    now: dt.datetime,
) -> None:
    source.value = value
    source.evidence = evidence
    source.accepted_at = now
    source.accepted_by = "、".join(typists)
    source.save()
    record(
        actor,
        "ceremony.value_accepted",
        source.ceremony,
        source=source.name,
        value=value,
        accepted_by=typists,
    )


def draw_ceremony(actor: Actor, ceremony: Ceremony, now: dt.datetime | None = None) -> LotteryDraw:
    """Draw once every announced source has its accepted value; store the sealed record."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(ceremony)
        if locked.status == CeremonyStatus.DRAWN:
            raise ValidationError({"draw": "本次摇号已经完成；如需重新摇号，请说明理由另行发起"})
        if locked.status != CeremonyStatus.ANNOUNCED:
            raise ValidationError({"draw": "请先冻结名单、公布并截止随机数来源"})
        missing = [s.name for s in locked.sources.order_by("position") if not s.is_accepted]
        if missing:
            raise ValidationError(
                {"draw": f"以下来源尚未录入一致的数值，不能摇号：{'、'.join(missing)}"}
            )
        if not selectors.entry_list_intact(locked):
            raise ValidationError({"entries": "参与名单与冻结时公布的哈希值不一致，不能摇号"})
        codes = selectors.frozen_codes(locked)
        sources = selectors.engine_sources(locked)
        reference = ceremony_draw_reference(locked.entry_list_sha256, seed_for(codes, sources))
        if LotteryDraw.objects.filter(reference=reference).exists():
            raise ValidationError(
                {
                    "draw": f"相同名单和相同来源数值的摇号记录 {reference} 已经存在："
                    "重新摇号须使用新的来源"
                }
            )
        draw = _store_draw(actor, locked, reference, codes, sources, now)
        locked.draw = draw
        locked.drawn_at = now
        locked.status = CeremonyStatus.DRAWN
        locked.save()
        record(
            actor,
            "ceremony.drawn",
            locked,
            draw=draw.reference,
            record_sha256=draw.record_hash,
            supersedes=draw.supersedes.reference if draw.supersedes else None,
        )
    return draw


def ceremony_draw_reference(entry_list_sha256: str, seed: bytes) -> str:
    """Ceremony draws are named apart from school draws, which may hold the same list."""
    digest = hashlib.sha256(f"ceremony:{entry_list_sha256}:{seed.hex()}".encode()).hexdigest()
    return "C" + digest[:12].upper()


def _store_draw(
    actor: Actor,
    ceremony: Ceremony,
    reference: str,
    codes: list[str],
    sources: list[Source],
    now: dt.datetime,
) -> LotteryDraw:
    superseded = ceremony.supersedes.draw if ceremony.supersedes else None
    context = {
        "ceremony": str(ceremony.pk),
        "round": str(ceremony.round),
        "school": ceremony.school.code if ceremony.school else "",
        "venue": ceremony.venue,
    }
    sealed = build_record(
        codes,
        sources,
        draw_id=reference,
        code_version=__version__,
        title=ceremony.title,
        context=context,
        supersedes=superseded.record_hash if superseded else None,
        reason=ceremony.reason if superseded else None,
    )
    draw = LotteryDraw.objects.create(
        reference=reference,
        round=ceremony.round,
        school=ceremony.school,
        title=ceremony.title,
        record=sealed,
        entry_list_hash=sealed["entry_list_sha256"],
        record_hash=sealed["record_sha256"],
        algorithm=sealed["algorithm"],
        entry_count=sealed["entry_count"],
        supersedes=superseded,
        reason=ceremony.reason if superseded else "",
        drawn_at=now,
    )
    record(
        actor,
        "lottery.drawn",
        draw,
        entries=sealed["entry_count"],
        entry_list_sha256=sealed["entry_list_sha256"],
        record_sha256=sealed["record_sha256"],
    )
    return draw


def start_redraw(
    actor: Actor,
    ceremony: Ceremony,
    *,
    reason: str,
    title: str = "",
    now: dt.datetime | None = None,
) -> Ceremony:
    """A new ceremony whose draw will supersede this one's; the old draw stays published."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "重新摇号必须写明理由"})
    with transaction.atomic():
        locked = _locked(ceremony)
        if locked.status != CeremonyStatus.DRAWN:
            raise ValidationError({"reason": "只有已完成的摇号才能重新摇号"})
        if Ceremony.objects.filter(supersedes=locked).exists():
            raise ValidationError({"reason": "该摇号已经发起过重新摇号"})
        redraw = Ceremony.objects.create(
            title=title.strip() or f"{locked.title}（重新摇号）",
            round=locked.round,
            school=locked.school,
            purpose=locked.purpose,
            venue=locked.venue,
            supersedes=locked,
            reason=reason,
            created_by=actor.name,
            created_at=now,
        )
        record(actor, "ceremony.redraw_started", redraw, supersedes=locked.pk, reason=reason)
    return redraw


def preview_admission_from_ceremony(
    actor: Actor, ceremony: Ceremony, now: dt.datetime | None = None
) -> AdmissionRun:
    """Preview the round's admission with the ceremony's accepted sources for every draw.

    Refused unless the applicants are exactly the entry list frozen before the
    sources were known: a list changed afterwards could be tuned to a seed.
    """
    now = now or timezone.now()
    if ceremony.purpose != CeremonyPurpose.ADMISSION:
        raise ValidationError({"ceremony": "只有“本轮录取摇号”的来源可用于录取"})
    if ceremony.status != CeremonyStatus.DRAWN:
        raise ValidationError({"ceremony": "请先完成摇号仪式，再用其来源预览录取"})
    if Ceremony.objects.filter(supersedes=ceremony).exists():
        raise ValidationError({"ceremony": "该摇号已发起重新摇号，请使用新的摇号"})
    with transaction.atomic():
        frozen = set(selectors.frozen_codes(ceremony))
        current = selectors.admission_families(ceremony)
        if current != frozen:
            added, removed = len(current - frozen), len(frozen - current)
            raise ValidationError(
                {
                    "ceremony": f"冻结名单之后申请发生了变化（新增 {added} 个、"
                    f"减少 {removed} 个），不能使用本次摇号的来源：请重新冻结名单并举行摇号"
                }
            )
        run = preview_admission(
            actor, ceremony.round, sources=selectors.engine_sources(ceremony), now=now
        )
        CeremonyRun.objects.create(ceremony=ceremony, run=run, created_at=now)
        record(
            actor,
            "ceremony.admission_previewed",
            ceremony,
            run=run.pk,
            draws=sorted(run.draws.values_list("reference", flat=True)),
        )
    return run


def _locked(ceremony: Ceremony) -> Ceremony:
    return (
        Ceremony.objects.select_for_update(of=("self",))
        .select_related("round", "school")
        .get(pk=ceremony.pk)
    )


def _locked_source(source: CeremonySource) -> CeremonySource:
    locked = (
        CeremonySource.objects.select_for_update(of=("self",))
        .select_related("ceremony")
        .get(pk=source.pk)
    )
    if locked.ceremony.status != CeremonyStatus.ANNOUNCED:
        raise ValidationError({"value": "只有在来源公布截止之后、摇号之前才能录入数值"})
    if locked.is_accepted:
        raise ValidationError({"value": f"来源 {locked.name} 的数值已经接受，不能更改"})
    return locked
