"""Reads for lottery ceremonies: candidate lists, published data, who may do what."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from sunshine.accounts.models import Role, User
from sunshine.admissions.models import (
    Ceremony,
    CeremonyPurpose,
    CeremonySource,
    CeremonyStatus,
    LotteryDraw,
    RunStatus,
    SourceKind,
    TypedValue,
)
from sunshine.admissions.selectors import Applicant, admission_applicants
from sunshine.applications.models import Application
from sunshine.engine.lottery import entry_list_hash
from sunshine.engine.lottery.drand import CHAINS
from sunshine.engine.lottery.sources import LOTTERY_GAMES, Source
from sunshine.privacy.masking import mask_id_number, mask_name
from sunshine.schools.models import Round

BUREAU_ROLES = frozenset({Role.CITY, Role.DISTRICT})
VIEWER_ROLES = BUREAU_ROLES | {Role.OBSERVER}


@dataclass(frozen=True)
class EntryLine:
    """One line of an entry list as published: the drawn code and its masked holders."""

    code: str
    masked_name: str
    masked_id: str


@dataclass(frozen=True)
class CandidateList:
    """The list a ceremony would freeze now, and how many applications are still pending."""

    lines: list[EntryLine]
    pending: int


def candidate_entries(ceremony: Ceremony) -> CandidateList:
    """The round's admission entries (one per family), limited to the ceremony's school.

    The codes are exactly those the admission run draws with, so every school
    draw of the round is a part of this list.
    """
    applicants, pending = admission_applicants(ceremony.round)
    if ceremony.school_id is not None:
        code = ceremony.school.code
        applicants = [a for a in applicants if _applies_to(a, code)]
    children = {
        application.pk: application.child
        for application in Application.objects.filter(
            pk__in=[a.application_id for a in applicants]
        ).select_related("child")
    }
    members: dict[str, list[int]] = defaultdict(list)
    for applicant in applicants:
        members[applicant.family].append(applicant.application_id)
    lines = [
        EntryLine(
            code=family,
            masked_name="、".join(mask_name(children[pk].name) for pk in sorted(ids)),
            masked_id="、".join(mask_id_number(children[pk].id_number) for pk in sorted(ids)),
        )
        for family, ids in sorted(members.items())
    ]
    return CandidateList(lines=lines, pending=pending)


def _applies_to(applicant: Applicant, school_code: str) -> bool:
    return applicant.zone_school == school_code or school_code in applicant.private_choices


def admission_families(ceremony: Ceremony) -> set[str]:
    """The entries an admission run of the ceremony's round would draw from right now."""
    applicants, _ = admission_applicants(ceremony.round)
    return {a.family for a in applicants}


def frozen_codes(ceremony: Ceremony) -> list[str]:
    return list(ceremony.entries.order_by("position").values_list("code", flat=True))


def entry_list_intact(ceremony: Ceremony) -> bool:
    """Whether the stored entry rows still hash to the hash published at freezing."""
    if not ceremony.is_frozen:
        return False
    codes = frozen_codes(ceremony)
    return len(codes) == ceremony.entry_count and entry_list_hash(codes) == (
        ceremony.entry_list_sha256
    )


def engine_sources(ceremony: Ceremony) -> list[Source]:
    """The accepted source values as the engine takes them, in announcement order."""
    return [
        Source(name=s.name, kind=s.kind, value=s.value, evidence=s.evidence)
        for s in ceremony.sources.order_by("position")
        if s.is_accepted
    ]


def all_sources_accepted(ceremony: Ceremony) -> bool:
    sources = list(ceremony.sources.all())
    return bool(sources) and all(s.is_accepted for s in sources)


def waiting_typing(source: CeremonySource) -> TypedValue | None:
    """The first of two independent typings, while the second is awaited."""
    return source.typings.filter(outcome=TypedValue.Outcome.WAITING).first()


def drand_round_time(chain: str, round_number: int) -> dt.datetime:
    """When a drand round is published (genesis + period × (round − 1))."""
    info = CHAINS[chain]
    seconds = info.genesis_time + info.period_seconds * (round_number - 1)
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def describe_source(source: CeremonySource) -> str:
    """A one-line public description of what was announced."""
    if source.kind == SourceKind.LOTTERY:
        game = LOTTERY_GAMES[source.lottery_game].name
        return f"{game} 第{source.lottery_draw_number}期"
    if source.kind == SourceKind.DRAND:
        return f"drand {source.drand_chain} 第{source.drand_round}轮"
    return f"{source.get_observer_role_display()} {source.observer_name}"


@dataclass(frozen=True)
class DrawnLine:
    number: int
    code: str
    masked_name: str


def drawn_lines(ceremony: Ceremony) -> list[DrawnLine]:
    """The drawn order with each code's masked holders: lottery number 1 first."""
    if ceremony.draw is None:
        return []
    masked = dict(ceremony.entries.values_list("code", "masked_name"))
    return [
        DrawnLine(number, code, masked.get(code, ""))
        for number, code in enumerate(ceremony.draw.record["order"], start=1)
    ]


def draws_from_ceremony(ceremony: Ceremony, *, committed_only: bool) -> list[LotteryDraw]:
    """School draws of admission runs that took their sources from this ceremony."""
    draws = LotteryDraw.objects.filter(runs__ceremony_link__ceremony=ceremony)
    if committed_only:
        draws = draws.exclude(runs__status=RunStatus.PREVIEW)
    return list(draws.exclude(pk=ceremony.draw_id).distinct().order_by("reference"))


# Scopes: who may see and who may run which ceremony.


def may_view_ceremonies(user: User) -> bool:
    return user.is_authenticated and user.role in VIEWER_ROLES


def visible_ceremonies(user: User) -> QuerySet[Ceremony]:
    ceremonies = Ceremony.objects.select_related("round__term", "school", "draw")
    if user.role in {Role.CITY, Role.OBSERVER}:
        return ceremonies
    if user.role == Role.DISTRICT:
        # Round-level ceremonies are the city's, but what they publish concerns every district.
        return ceremonies.filter(school__isnull=True) | ceremonies.filter(
            school__district=user.district_id
        )
    return ceremonies.none()


def may_manage(
    user: User, ceremony: Ceremony | None = None, school_district: int | None = None
) -> bool:
    """City staff run any ceremony; district staff only those of their own district's schools."""
    if not user.is_authenticated or user.role not in BUREAU_ROLES:
        return False
    if user.role == Role.CITY:
        return True
    district = school_district
    if ceremony is not None:
        district = ceremony.school.district_id if ceremony.school_id else None
    return district is not None and district == user.district_id


def may_preview_admission(user: User, ceremony: Ceremony) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.CITY
        and ceremony.purpose == CeremonyPurpose.ADMISSION
        and ceremony.status == CeremonyStatus.DRAWN
    )


# Public pages: only what has been published.


def published_ceremonies() -> QuerySet[Ceremony]:
    return Ceremony.objects.filter(frozen_at__isnull=False).select_related(
        "round__term", "school", "draw"
    )


def admission_ceremonies(round_: Round) -> QuerySet[Ceremony]:
    """Drawn round-wide ceremonies whose sources may drive the round's admission."""
    return Ceremony.objects.filter(
        round=round_,
        purpose=CeremonyPurpose.ADMISSION,
        status=CeremonyStatus.DRAWN,
        superseded_by__isnull=True,
    ).select_related("draw")
