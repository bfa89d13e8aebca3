"""Admission runs: preview, commit, publish. Each a transaction with its audit event.

A run has three stages, in the order Chinese cities use:

1. private schools (公民同招): every applicant has the same priority, so an
   oversubscribed school decides by lottery;
2. zoned public admission: each child applies to its zone school with its
   priority: the category (第一类 … 第五类), then the category's tie-break
   facts from the policy (earlier hukou move-in first, for instance); only the
   priority that overflows a school's seats is drawn by lottery;
3. coordinated placement (统筹): children still without a place, in priority
   order and then by one public draw, go to the nearest school with seats left.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sunshine.admissions import selectors
from sunshine.admissions.lottery import conduct_draw, numbers_of
from sunshine.admissions.models import AdmissionRun, LotteryDraw, Placement, RunStatus, Stage
from sunshine.admissions.selectors import Applicant
from sunshine.applications.models import Application, Status
from sunshine.applications.selectors import first_guardians
from sunshine.audit.chain import canonical_json, fingerprint
from sunshine.audit.services import Actor, record
from sunshine.engine.admission.interchange import write_problem
from sunshine.engine.admission.model import Application as Listing
from sunshine.engine.admission.model import Problem, Result
from sunshine.engine.admission.placement import coordinated_placement
from sunshine.engine.admission.solve import solve
from sunshine.engine.lottery.sources import Source
from sunshine.notifications.services import Announcement, enqueue
from sunshine.schools.models import Round, School, SchoolKind

# Stages: private-school lottery, zoned deferred acceptance by priority, nearest-seat 统筹.
ALGORITHM = "sunshine-admission/1:private-da+zone-da+nearest-seat"
# Numbers of families outside any draw: above every drawn number, so they never
# decide a tie and keep each family's number unique.
_UNDRAWN_BASE = 10_000_000


@dataclass
class StageResult:
    """What one lottery stage decided, in the engine's words and for publication."""

    name: str
    result: Result
    numbers: dict[tuple[str, str], int]
    listings: list[Listing]
    capacities: dict[str, int]
    draws: list[LotteryDraw] = field(default_factory=list)
    lottery_category: dict[str, int] = field(default_factory=dict)
    sibling_groups: list[tuple[str, ...]] = field(default_factory=list)


def preview_admission(
    actor: Actor,
    round_: Round,
    *,
    sources: Sequence[Source],
    now: dt.datetime | None = None,
) -> AdmissionRun:
    """Compute a complete admission for the round and store it as a preview."""
    now = now or timezone.now()
    if not sources:
        raise ValidationError({"sources": "请先录入公开的随机数来源"})
    if selectors.committed_run(round_) is not None:
        raise ValidationError({"round": "本轮已有确认的录取结果；剩余学位请通过补报名或候补递补"})
    with transaction.atomic():
        applicants, pending = selectors.admission_applicants(round_)
        if not applicants:
            raise ValidationError({"round": "没有已核验的申请，无法录取"})
        seats = selectors.seats_by_school(round_)
        schools = {s.code: s for s in School.objects.filter(code__in=seats)}
        private_codes = {code for code, s in schools.items() if s.kind == SchoolKind.PRIVATE}

        private = _lottery_stage(
            actor,
            round_,
            "private",
            [a for a in applicants if a.private_choices],
            choices=lambda a: a.private_choices,
            priority=lambda a: 1,
            seats={code: seats[code] for code in private_codes},
            schools=schools,
            sources=sources,
            now=now,
        )
        placed = {entry for entry, school in private.result.assignment.items() if school}
        zone = _lottery_stage(
            actor,
            round_,
            "zone",
            [a for a in applicants if a.entry not in placed and a.zone_school in seats],
            choices=lambda a: (a.zone_school,) if a.zone_school else (),
            priority=lambda a: a.priority,
            seats={code: n for code, n in seats.items() if code not in private_codes},
            schools=schools,
            sources=sources,
            now=now,
        )
        placed |= {entry for entry, school in zone.result.assignment.items() if school}
        left = [a for a in applicants if a.entry not in placed]
        remaining = {
            code: seats[code] - count
            for code, count in _admitted_counts(zone.result, seats).items()
            if code not in private_codes
        }
        coordinated, order_draw = _coordinated_stage(
            actor, round_, left, remaining, schools, sources, now
        )

        run = AdmissionRun.objects.create(
            round=round_,
            status=RunStatus.PREVIEW,
            algorithm=ALGORITHM,
            inputs_sha256=fingerprint(_inputs(private, zone)),
            outputs_sha256="",
            created_by=actor.name,
            created_at=now,
        )
        run.draws.set([*private.draws, *zone.draws, *([order_draw] if order_draw else [])])
        placements = _placements(run, applicants, private, zone, coordinated, schools)
        Placement.objects.bulk_create(placements, batch_size=1000)
        run.outputs_sha256 = fingerprint(
            sorted((p.application_id, p.school.code if p.school else "") for p in placements)
        )
        run.summary = _summary(applicants, pending, private, zone, coordinated, seats, schools)
        run.summary["applicants_sha256"] = _applicants_digest(applicants, pending, seats)
        run.save(update_fields=["outputs_sha256", "summary"])
        record(
            actor,
            "admission.previewed",
            run,
            inputs_sha256=run.inputs_sha256,
            outputs_sha256=run.outputs_sha256,
            draws=[d.reference for d in run.draws.all()],
        )
    return run


def commit_admission(
    actor: Actor, run: AdmissionRun, now: dt.datetime | None = None
) -> AdmissionRun:
    """Make a preview final: applications become admitted or unplaced, SMS are queued."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = AdmissionRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != RunStatus.PREVIEW:
                raise ValidationError({"run": "该录取结果已确认，不能重复确认"})
            # Hold the round's applications still until the results are written, so a
            # correction or a re-check cannot slip in between the check and the commit.
            list(
                Application.objects.select_for_update()
                .filter(round=locked.round)
                .values_list("pk", flat=True)
            )
            if _applicants_fingerprint(locked.round) != locked.summary["applicants_sha256"]:
                raise ValidationError({"run": "预览之后有申请发生变化，请重新预览"})
            locked.status = RunStatus.COMMITTED
            locked.committed_at = now
            locked.save(update_fields=["status", "committed_at"])
            _apply_results(locked, now)
            record(actor, "admission.committed", locked, outputs_sha256=locked.outputs_sha256)
    except IntegrityError:
        raise ValidationError({"run": "本轮已有确认的录取结果"}) from None
    return locked


def _applicants_fingerprint(round_: Round) -> str:
    applicants, pending = selectors.admission_applicants(round_)
    return _applicants_digest(applicants, pending, selectors.seats_by_school(round_))


def _applicants_digest(
    applicants: Sequence[Applicant], pending: int, seats: Mapping[str, int]
) -> str:
    """What the preview was computed from; a commit is refused if it changed since."""
    return fingerprint(
        [[dataclasses.astuple(a) for a in applicants], pending, sorted(seats.items())]
    )


def publish_admission(
    actor: Actor, run: AdmissionRun, now: dt.datetime | None = None
) -> AdmissionRun:
    """Publish the recomputable files of a committed run and mark it published."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = AdmissionRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.PREVIEW:
            raise ValidationError({"run": "请先确认录取结果再公布"})
        if locked.status == RunStatus.PUBLISHED:
            return locked
        files = publication_files(locked)
        folder = publication_folder(locked)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        locked.status = RunStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        record(
            actor,
            "admission.published",
            locked,
            files={name: fingerprint(content) for name, content in files.items()},
        )
    return locked


def publication_folder(run: AdmissionRun) -> Path:
    return Path(settings.SUNSHINE_PUBLISH_DIR) / f"round-{run.round_id}" / f"run-{run.pk}"


def publication_files(run: AdmissionRun) -> dict[str, str]:
    """The run's inputs and outputs in the interchange format, with pseudonymous IDs.

    Each stage is written by the engine's own writer, so an observer's
    ``sunshine engine verify`` reads exactly what the engine solved.
    """
    published = run.summary["published"]
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for stage in ("private", "zone"):
            folder = Path(scratch) / stage
            paths = write_problem(folder, _stage_problem(published[stage]))
            for name, path in paths.items():
                files[f"{stage}/{name}"] = path.read_text(encoding="utf-8")
            files[f"{stage}/assignments.csv"] = _csv(
                ["student_id", "school_id"], sorted(published[stage]["assignments"].items())
            )
    files["coordinated.csv"] = _csv(
        ["order", "student_id", "priority", "school_id"], published["coordinated"]
    )
    for draw in run.draws.all():
        files[f"draws/{draw.reference}.json"] = canonical_json(draw.record) + "\n"
    return files


def _stage_problem(stage: dict[str, Any]) -> Problem:
    rows = stage["applications"]
    return Problem(
        capacities=stage["capacities"],
        tiebreak={},
        applications=[
            Listing(student, rank, school, priority) for student, rank, school, priority, _ in rows
        ],
        school_tiebreak={(student, school): number for student, _, school, _, number in rows},
        sibling_groups=[tuple(group) for group in stage["sibling_groups"]],
    )


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue()


def _lottery_stage(
    actor: Actor,
    round_: Round,
    name: str,
    applicants: Sequence[Applicant],
    *,
    choices: Callable[[Applicant], Sequence[str]],
    priority: Callable[[Applicant], int],
    seats: Mapping[str, int],
    schools: Mapping[str, School],
    sources: Sequence[Source],
    now: dt.datetime,
) -> StageResult:
    listings = [
        Listing(a.entry, rank, school, priority(a))
        for a in applicants
        for rank, school in enumerate(choices(a), start=1)
        if school in seats
    ]
    by_school: dict[str, list[Applicant]] = defaultdict(list)
    by_entry = {a.entry: a for a in applicants}
    for listing in listings:
        by_school[listing.school_id].append(by_entry[listing.student_id])
    stage = StageResult(name, _empty_result(), {}, listings, dict(seats))
    for code in sorted(by_school):
        stage.numbers.update(
            _school_numbers(
                actor, round_, stage, code, by_school[code], priority, schools, sources, now
            )
        )
    groups: dict[str, list[str]] = defaultdict(list)
    for a in applicants:
        groups[a.family].append(a.entry)
    stage.sibling_groups = sorted(tuple(m) for m in groups.values() if len(m) > 1)
    stage.result = solve(
        Problem(
            capacities=dict(seats),
            tiebreak={},
            applications=listings,
            school_tiebreak=stage.numbers,
            sibling_groups=stage.sibling_groups,
        ),
        "da",
    )
    return stage


def _school_numbers(
    actor: Actor,
    round_: Round,
    stage: StageResult,
    code: str,
    applicants: list[Applicant],
    priority: Callable[[Applicant], int],
    schools: Mapping[str, School],
    sources: Sequence[Source],
    now: dt.datetime,
) -> dict[tuple[str, str], int]:
    """Lottery numbers at one school: drawn for the priority that overflows, else unique fillers."""
    per_priority = Counter(priority(a) for a in applicants)
    ahead = 0
    overflowing = None
    for rank in sorted(per_priority):
        if ahead + per_priority[rank] > stage.capacities[code]:
            overflowing = rank if ahead < stage.capacities[code] else None
            break
        ahead += per_priority[rank]
    family_number: dict[str, int] = {}
    if overflowing is not None:
        drawn = [a for a in applicants if priority(a) == overflowing]
        category = drawn[0].category
        families = sorted({a.family for a in drawn})
        draw = conduct_draw(
            actor,
            title=f"{schools[code].name} 第{category}类 摇号"
            if stage.name == "zone"
            else f"{schools[code].name} 民办学校摇号",
            entries=families,
            sources=sources,
            now=now,
            round_=round_,
            school=schools[code],
        )
        stage.draws.append(draw)
        stage.lottery_category[code] = category
        family_number.update(numbers_of(draw))
    undrawn = sorted({a.family for a in applicants} - set(family_number))
    family_number.update({family: _UNDRAWN_BASE + i for i, family in enumerate(undrawn, start=1)})
    return {(a.entry, code): family_number[a.family] for a in applicants}


def _empty_result() -> Result:
    return solve(Problem(capacities={}, tiebreak={}, applications=[]), "da")


def _admitted_counts(result: Result, seats: Mapping[str, int]) -> dict[str, int]:
    counts = Counter(school for school in result.assignment.values() if school)
    return {code: counts.get(code, 0) for code in seats}


def _coordinated_stage(
    actor: Actor,
    round_: Round,
    left: Sequence[Applicant],
    remaining: Mapping[str, int],
    schools: Mapping[str, School],
    sources: Sequence[Source],
    now: dt.datetime,
) -> tuple[list[tuple[int, Applicant, str | None]], LotteryDraw | None]:
    """Place the unplaced in category order, ties decided by one public draw."""
    if not left:
        return [], None
    draw = conduct_draw(
        actor,
        title=f"{round_} 统筹安排顺序",
        entries=sorted({a.family for a in left}),
        sources=sources,
        now=now,
        round_=round_,
    )
    number = numbers_of(draw)
    ordered = sorted(left, key=lambda a: (a.priority, number[a.family], a.entry))
    unknown_home = [a for a in ordered if a.home is None]
    with_home = [a for a in ordered if a.home is not None]
    open_schools = {
        code: (schools[code].latitude, schools[code].longitude)
        for code, seats in remaining.items()
        if seats > 0
    }
    groups: dict[str, list[str]] = defaultdict(list)
    for a in with_home:
        groups[a.family].append(a.entry)
    placed = coordinated_placement(
        [a.entry for a in with_home],
        {a.entry: a.home for a in with_home if a.home is not None},
        open_schools,
        remaining,
        sibling_groups=[tuple(m) for m in groups.values() if len(m) > 1],
    )
    rows = [(i, a, placed[a.entry]) for i, a in enumerate(with_home, start=1)]
    rows += [(len(rows) + i, a, None) for i, a in enumerate(unknown_home, start=1)]
    return rows, draw


def _placements(
    run: AdmissionRun,
    applicants: Sequence[Applicant],
    private: StageResult,
    zone: StageResult,
    coordinated: Sequence[tuple[int, Applicant, str | None]],
    schools: Mapping[str, School],
) -> list[Placement]:
    by_coordinated = {a.entry: school for _, a, school in coordinated}
    placements = []
    for a in applicants:
        stage, code, result = Stage.NONE, None, None
        if private.result.assignment.get(a.entry):
            stage, code, result = Stage.PRIVATE, private.result.assignment[a.entry], private
        elif zone.result.assignment.get(a.entry):
            stage, code, result = Stage.ZONE, zone.result.assignment[a.entry], zone
        elif by_coordinated.get(a.entry):
            stage, code = Stage.COORDINATED, by_coordinated[a.entry]
        explanation = {
            "entry": a.entry,
            "private": _explain(private, a.entry),
            "zone": _explain(zone, a.entry),
        }
        number = None
        if result is not None and code is not None:
            drawn = result.numbers.get((a.entry, code))
            number = drawn if drawn is not None and drawn < _UNDRAWN_BASE else None
        placements.append(
            Placement(
                run=run,
                application_id=a.application_id,
                school=schools[code] if code else None,
                stage=stage,
                category=a.category,
                lottery_number=number,
                explanation=explanation,
            )
        )
    return placements


def _explain(stage: StageResult, entry: str) -> list[dict[str, object]]:
    return [
        {
            "school": item.school_id,
            "admitted": item.admitted,
            "outcome": item.outcome,
            "priority": item.priority,
            "number": item.tiebreak if item.tiebreak < _UNDRAWN_BASE else None,
            "cutoff": None
            if item.cutoff is None
            else {
                "priority": item.cutoff.priority,
                "number": item.cutoff.tiebreak if item.cutoff.tiebreak < _UNDRAWN_BASE else None,
            },
        }
        for item in stage.result.explanations.get(entry, ())
    ]


def _inputs(private: StageResult, zone: StageResult) -> dict[str, object]:
    return {stage.name: _published_stage(stage) for stage in (private, zone)}


def _published_stage(stage: StageResult) -> dict[str, object]:
    """What the engine solved in this stage, with each application's own lottery number."""
    return {
        "capacities": stage.capacities,
        "applications": sorted(
            (
                item.student_id,
                item.rank,
                item.school_id,
                item.priority,
                stage.numbers[(item.student_id, item.school_id)],
            )
            for item in stage.listings
        ),
        "sibling_groups": [list(group) for group in stage.sibling_groups],
        "assignments": {entry: school or "" for entry, school in stage.result.assignment.items()},
    }


def _summary(
    applicants: Sequence[Applicant],
    pending: int,
    private: StageResult,
    zone: StageResult,
    coordinated: Sequence[tuple[int, Applicant, str | None]],
    seats: Mapping[str, int],
    schools: Mapping[str, School],
) -> dict[str, object]:
    per_school: dict[str, dict[str, object]] = {}
    category_of = {a.entry: a.category for a in applicants}
    for stage in (private, zone):
        applicants_by_category: dict[str, Counter[int]] = defaultdict(Counter)
        for item in stage.listings:
            applicants_by_category[item.school_id][category_of[item.student_id]] += 1
        admitted = _admitted_counts(stage.result, stage.capacities)
        for code in stage.capacities:
            cutoff = stage.result.schools[code].cutoff if code in stage.result.schools else None
            per_school[code] = {
                "name": schools[code].name,
                "stage": stage.name,
                "seats": seats[code],
                "applicants": sum(applicants_by_category[code].values()),
                "by_category": {str(c): n for c, n in sorted(applicants_by_category[code].items())},
                "admitted": admitted[code],
                "lottery_category": stage.lottery_category.get(code),
                "draw": next(
                    (d.reference for d in stage.draws if d.school and d.school.code == code), None
                ),
                "cutoff": None
                if cutoff is None
                else {
                    "priority": cutoff.priority,
                    "number": cutoff.tiebreak if cutoff.tiebreak < _UNDRAWN_BASE else None,
                },
            }
    coordinated_counts = Counter(school for _, _, school in coordinated if school)
    for code, count in coordinated_counts.items():
        per_school[code]["coordinated"] = count
    return {
        "applicants": len(applicants),
        "pending": pending,
        "admitted_private": sum(1 for s in private.result.assignment.values() if s),
        "admitted_zone": sum(1 for s in zone.result.assignment.values() if s),
        "coordinated": sum(coordinated_counts.values()),
        "unplaced": sum(1 for _, _, school in coordinated if school is None),
        "schools": per_school,
        "published": {
            "private": _published_stage(private),
            "zone": _published_stage(zone),
            "coordinated": [
                (order, a.entry, a.priority, school or "") for order, a, school in coordinated
            ],
        },
    }


def _apply_results(run: AdmissionRun, now: dt.datetime) -> None:
    announcements = []
    placements = list(run.placements.select_related("application__child", "school"))
    guardians = first_guardians(p.application.child_id for p in placements)
    admitted_ids, unplaced_ids = [], []
    for placement in placements:
        application = placement.application
        child = application.child
        guardian = guardians.get(child.pk)
        if placement.school:
            admitted_ids.append(application.pk)
            template, params = "ADMITTED", {"child": child.name, "school": placement.school.name}
        else:
            unplaced_ids.append(application.pk)
            template, params = "UNPLACED", {"child": child.name}
        if guardian is not None:
            announcements.append(
                Announcement(f"result:{run.pk}:{application.pk}", guardian.phone, template, params)
            )
    verified = Application.objects.filter(status=Status.VERIFIED)
    changed = verified.filter(pk__in=admitted_ids).update(status=Status.ADMITTED, updated_at=now)
    changed += verified.filter(pk__in=unplaced_ids).update(status=Status.UNPLACED, updated_at=now)
    if changed != len(admitted_ids) + len(unplaced_ids):
        raise ValidationError({"run": "预览之后有申请发生变化，请重新预览"})
    enqueue(announcements, now)
