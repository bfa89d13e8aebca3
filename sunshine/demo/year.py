"""The whole enrollment year on a synthetic city, through the services the pages call."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tqdm import tqdm

from sunshine.accounts.models import Role
from sunshine.accounts.services import create_user
from sunshine.accounts.staff_login import enroll_totp
from sunshine.admissions import ceremony
from sunshine.admissions import services as admissions
from sunshine.admissions.models import (
    AdmissionRun,
    Ceremony,
    CeremonyPurpose,
    LotteryDraw,
    ObserverRole,
)
from sunshine.applications import services as applications
from sunshine.applications.models import Application, Status
from sunshine.audit.selectors import verify_chain
from sunshine.audit.services import Actor
from sunshine.classes import services as classes
from sunshine.classes.models import PlacementRun
from sunshine.demo import names
from sunshine.demo.city import generate_city
from sunshine.demo.loader import CHINA, load_city
from sunshine.demo.model import City, Family
from sunshine.engine.idnumber import Sex
from sunshine.engine.lottery.sources import Source, lottery_source, onsite_source
from sunshine.notifications import services as notifications
from sunshine.notifications.backends import SmsBackend
from sunshine.public.selectors import city_rates, school_demand
from sunshine.schools.models import Round, School
from sunshine.schools.selectors import CityMap, city_map
from sunshine.verification import services as verification

T = TypeVar("T")
DEMO_PASSWORD = "sunshine-demo-2024"
BUREAU = Actor(name="city-bureau", role=Role.CITY)
# Two staff type every ceremony value independently; it counts only when both agree.
TYPISTS = (Actor(name="typist-1", role=Role.CITY), Actor(name="typist-2", role=Role.CITY))


@dataclass
class YearReport:
    """What the demo prints at the end; ``figures`` is also the bench's JSON."""

    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)


def _progress(items: Iterable[T], label: str, total: int | None, show: bool) -> Iterator[T]:
    yield from tqdm(items, desc=label, total=total, disable=not show, unit="", leave=True)


@dataclass(frozen=True)
class AnnouncedValues:
    """The values the demo's announced sources turn out to have on the day of the draw.

    In a real year these are results of draws held after the entry lists were
    frozen; the demo makes them up from its seed so that runs repeat.
    """

    welfare_3d: str  # 福彩3D
    sports_pl5: str  # 体彩排列五
    notary: str  # 公证员现场提供的数字

    @classmethod
    def for_seed(cls, seed: int) -> AnnouncedValues:
        rng = random.Random(f"sources:{seed}")
        digits = [str(rng.randint(0, 9)) for _ in range(8)]
        return cls(" ".join(digits[:3]), " ".join(digits[3:]), str(rng.randint(10000, 99999)))

    def sources(self, year: int) -> list[Source]:
        return [
            lottery_source("fc-3d", f"{year}186", self.welfare_3d),
            lottery_source("tc-pl5", f"{year % 100}186", self.sports_pl5),
            onsite_source("notary-1", self.notary, self.notary),
        ]


def run_year(
    children: int,
    seed: int = 2024,
    *,
    progress: bool = True,
    sms_backend: SmsBackend | None = None,
) -> YearReport:
    report = YearReport()
    stage_seconds: dict[str, float] = {}

    def stage(name: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = work()
        stage_seconds[name] = round(time.perf_counter() - start, 2)
        return result

    city = stage("generate", lambda: generate_city(children=children, seed=seed))
    loaded = stage("set_up", lambda: load_city(city, BUREAU))
    values = AnnouncedValues.for_seed(seed)
    sources = values.sources(city.entry_year)
    stage("registration", lambda: register_all(city, loaded.rounds, progress))
    for level, round_ in loaded.rounds.items():
        stage(
            f"verification_{level}",
            lambda r=round_: verification.verify_round(
                BUREAU, r, now=r.registration_closes + dt.timedelta(hours=1), progress=progress
            ),
        )
    stage("offline_checks", lambda: _school_offline_checks(loaded.rounds.values(), progress))
    runs = {
        level: stage(f"admission_{level}", lambda r=round_: _admit(r, values))
        for level, round_ in loaded.rounds.items()
    }
    stage("classes", lambda: _place_classes(city, loaded.term, sources, progress))
    sent = stage("notifications", lambda: _send_everything(sms_backend))
    report.logins = _demo_accounts(city, runs)
    chain = verify_chain()
    _summarise(
        report, city, loaded.rounds, runs, sent, stage_seconds, chain.ok, chain.events_checked
    )
    return report


def _send_everything(backend: SmsBackend | None) -> notifications.SendReport:
    """Send until the outbox is empty (each call sends one batch)."""
    sent = failed = 0
    while True:
        batch = notifications.send_pending(Actor.system("sms"), backend=backend)
        sent, failed = sent + batch.sent, failed + batch.failed
        if batch.pending == 0 or batch.sent + batch.failed == 0:
            return notifications.SendReport(sent=sent, failed=failed, pending=batch.pending)


def register_all(city: City, rounds: dict[str, Round], progress: bool) -> None:
    schools = {s.code: s for s in School.objects.all()}
    zones = city_map()
    families = city.families
    for index, family in enumerate(
        _progress(families, "报名 registration", len(families), progress)
    ):
        _register_family(family, rounds, schools, zones, index)


def _register_family(
    family: Family,
    rounds: dict[str, Round],
    schools: dict[str, School],
    zones: CityMap,
    index: int,
) -> None:
    parent = Actor(name=f"guardian:{family.family_id}", role=Role.PARENT)
    twin_group = family.family_id if family.multiple_birth else ""
    for number, child in enumerate(family.children, start=1):
        round_ = rounds[str(child.level)]
        when = round_.registration_opens + dt.timedelta(seconds=7 * index + 1)
        registered = applications.register_child(
            parent,
            name=child.name,
            id_number=child.id_number,
            guardians=[
                applications.GuardianInput(g.name, g.id_number, g.phone, g.relation)
                for g in child.declaration.guardians
            ],
            twin_group=twin_group,
            today=when.astimezone(CHINA).date(),
        )
        applications.submit_application(
            parent,
            round_=round_,
            child=registered,
            declaration=child.declaration,
            private_choices=[schools[child.private_choice]] if child.private_choice else [],
            # Keys are opaque: a client never builds one from personal data.
            idempotency_key=f"demo-{family.family_id}-{number}",
            now=when,
            city=zones,
        )


def _school_offline_checks(rounds: Iterable[Round], progress: bool) -> None:
    """Schools visit the category-5 families; in the demo every visit confirms residence."""
    pending = list(
        Application.objects.filter(round__in=list(rounds), status=Status.OFFLINE_CHECK)
        .select_related("zone_school")
        .order_by("pk")
    )
    for application in _progress(pending, "线下核查 offline checks", len(pending), progress):
        school = application.zone_school
        staff = Actor(name=f"school:{school.code if school else 'none'}", role=Role.SCHOOL)
        verification.decide_offline_check(
            staff, application, lives_in_zone=True, note="入户核查：实际居住在片区内"
        )


def _admit(round_: Round, values: AnnouncedValues) -> AdmissionRun:
    """Changde's 11 July: a public ceremony draws the seed, then admission in one click each."""
    held = _hold_ceremony(round_, values)
    run = ceremony.preview_admission_from_ceremony(BUREAU, held, now=round_.lottery_on)
    run = admissions.commit_admission(BUREAU, run, now=round_.lottery_on + dt.timedelta(minutes=30))
    return admissions.publish_admission(BUREAU, run, now=round_.results_on)


def _hold_ceremony(round_: Round, values: AnnouncedValues) -> Ceremony:
    """Freeze and announce after verification, draw on the day, two typists per value."""
    announced = round_.verification_ends
    year = round_.term.year
    held = ceremony.create_ceremony(
        BUREAU,
        title=f"{round_} 公开摇号",
        round_=round_,
        purpose=CeremonyPurpose.ADMISSION,
        scheduled_at=round_.lottery_on,
        venue="常德市教育局招生录取现场会",
        now=announced,
    )
    held = ceremony.freeze_entry_list(BUREAU, held, now=announced)
    draw_day = round_.lottery_on.astimezone(CHINA).date()
    typed = {
        ceremony.announce_lottery(
            BUREAU, held, game="fc-3d", draw_number=f"{year}186", draw_date=draw_day, now=announced
        ): values.welfare_3d,
        ceremony.announce_lottery(
            BUREAU,
            held,
            game="tc-pl5",
            draw_number=f"{year % 100}186",
            draw_date=draw_day,
            now=announced,
        ): values.sports_pl5,
        ceremony.announce_onsite(
            BUREAU, held, observer_name="公证员", observer_role=ObserverRole.NOTARY, now=announced
        ): values.notary,
    }
    ceremony.close_announcements(BUREAU, held, now=announced)
    for source, value in typed.items():
        for typist in TYPISTS:
            ceremony.enter_value(typist, source, value, now=round_.lottery_on)
    ceremony.draw_ceremony(BUREAU, held, now=round_.lottery_on)
    held.refresh_from_db()
    return held


def _place_classes(city: City, term: Any, sources: list[Source], progress: bool) -> None:
    rng = random.Random(f"teachers:{city.seed}")
    admitted_schools = (
        School.objects.filter(pk__in=_admitted_school_ids()).order_by("code").distinct()
    )
    for school in _progress(list(admitted_schools), "分班 classes", None, progress):
        run = classes.place_classes(BUREAU, school, term, sources=sources)
        run = classes.freeze_classes(BUREAU, run)
        teachers = [
            names.surname(rng) + names.parent_given_name(rng, rng.choice([Sex.MALE, Sex.FEMALE]))
            for _ in range(run.classes.count())
        ]
        classes.add_teachers(BUREAU, school, teachers)
        classes.draw_head_teachers(BUREAU, run, sources=sources)


def _admitted_school_ids() -> list[int]:
    from sunshine.admissions.models import Placement, RunStatus

    return list(
        Placement.objects.filter(
            school__isnull=False, run__status__in=[RunStatus.COMMITTED, RunStatus.PUBLISHED]
        )
        .values_list("school_id", flat=True)
        .distinct()
    )


def _demo_accounts(city: City, runs: dict[str, AdmissionRun]) -> list[tuple[str, str]]:
    busiest = max(
        runs["primary"].summary["schools"].items(),
        key=lambda item: item[1]["applicants"] / max(1, item[1]["seats"]),
    )[0]
    school = School.objects.get(code=busiest)
    staff = [
        create_user(
            BUREAU, username="city", password=DEMO_PASSWORD, role=Role.CITY, display_name="市教育局"
        ),
        create_user(
            BUREAU,
            username="district",
            password=DEMO_PASSWORD,
            role=Role.DISTRICT,
            district=school.district,
            display_name=f"{school.district.name}教育局",
        ),
        create_user(
            BUREAU, username="school", password=DEMO_PASSWORD, role=Role.SCHOOL, school=school
        ),
        create_user(BUREAU, username="observer", password=DEMO_PASSWORD, role=Role.OBSERVER),
    ]
    for user in staff:
        enroll_totp(BUREAU, user)
    first_child = city.families[0].children[0]
    return [
        ("city", "市教育局 city bureau"),
        ("district", f"{school.district.name}教育局 district bureau"),
        ("school", f"{school.name} school staff"),
        ("observer", "监督员 observer"),
        (
            first_child.declaration.guardians[0].phone,
            f"家长 parent of {first_child.name}: log in at /portal/login/ with this phone;"
            " the SMS code is shown on the page in the demo",
        ),
    ]


def _summarise(
    report: YearReport,
    city: City,
    rounds: dict[str, Round],
    runs: dict[str, AdmissionRun],
    sent: notifications.SendReport,
    stage_seconds: dict[str, float],
    chain_ok: bool,
    chain_events: int,
) -> None:
    rates = city_rates()
    lines = report.lines
    lines.append(f"阳光招生 demo · {len(city.children())} children · seed {city.seed}")
    lines.append(
        f"online registration {rates.registration_rate:.1%} ({rates.registered}/{rates.children})"
        f" · verification {rates.verification_rate:.1%} ({rates.verified}/{rates.submitted})"
        f" · admission {rates.admission_rate:.1%} ({rates.admitted}/{rates.decided})"
    )
    demand = sorted(
        (d for r in rounds.values() for d in school_demand(r)), key=lambda d: -d.per_seat
    )
    lines.append("most oversubscribed schools (applicants per seat):")
    for d in demand[:5]:
        lines.append(f"  {d.name:<14} {d.applicants:>5} / {d.seats:<4} = {d.per_seat:.2f}")
    for level, run in runs.items():
        s = run.summary
        lines.append(
            f"{rounds[level]}: {s['applicants']} applicants · private {s['admitted_private']}"
            f" · zone {s['admitted_zone']} · coordinated {s['coordinated']}"
            f" · unplaced {s['unplaced']} · pending {s['pending']}"
        )
    draws = list(LotteryDraw.objects.order_by("round", "title"))
    admission_draws = [draw for draw in draws if draw.round_id is not None]
    lines.append(f"admission lotteries ({len(admission_draws)}): entries · seed")
    for draw in admission_draws:
        lines.append(f"  {draw.title:<28} {draw.entry_count:>5} · {draw.record['seed'][:16]}…")
    lines.append(f"head-teacher draws: {len(draws) - len(admission_draws)} (one per school)")
    class_runs = list(PlacementRun.objects.all())
    worst_boys = max((r.quality["max_boys_difference"] for r in class_runs), default=0)
    worst_spread = max((r.quality["birth_month_mean_spread"] for r in class_runs), default=0.0)
    class_count = sum(r.quality["class_count"] for r in class_runs)
    lines.append(
        f"classes: {class_count} in {len(class_runs)} schools · largest difference in boys"
        f" per class {worst_boys} · largest spread of mean birth month {worst_spread:.2f} months"
    )
    lines.append(f"SMS: {sent.sent} sent · {sent.failed} failed · {sent.pending} pending")
    lines.append(f"audit chain: {chain_events} events · {'intact' if chain_ok else 'BROKEN'}")
    lines.append("stage seconds: " + ", ".join(f"{k} {v}" for k, v in stage_seconds.items()))
    report.figures = {
        "children": len(city.children()),
        "registration_rate": round(rates.registration_rate, 4),
        "verification_rate": round(rates.verification_rate, 4),
        "admission_rate": round(rates.admission_rate, 4),
        "lotteries": len(draws),
        "classes": class_count,
        "max_boys_difference": worst_boys,
        "birth_month_mean_spread_max_months": worst_spread,
        "sms_sent": sent.sent,
        "audit_events": chain_events,
        "audit_chain_ok": chain_ok,
        **{f"{name}_seconds": seconds for name, seconds in stage_seconds.items()},
        "total_seconds": round(sum(stage_seconds.values()), 2),
    }
