"""Admission day after the first preview: comparing previews, refilling released seats,
the supplementary round and sending the results.

Every write here is one transaction with its audit event. Nothing changes a
committed run: released seats are filled by a refill record that only adds
admitted children, and the supplementary round is a new round with its own run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sunshine.admissions.models import AdmissionRun, Placement, RunStatus, Stage
from sunshine.admissions.selectors import committed_run, pseudonym, seats_by_school
from sunshine.applications.models import Application, Status
from sunshine.applications.selectors import first_guardians
from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, record
from sunshine.console.models import RefillAdmission, RefillStatus, SeatRefill
from sunshine.engine.admission.model import Application as Listing
from sunshine.engine.admission.model import Problem
from sunshine.engine.admission.solve import solve
from sunshine.engine.admission.waitlist import fill_released_seats
from sunshine.notifications.services import Announcement, SendReport, enqueue, send_pending
from sunshine.schools import services as school_services
from sunshine.schools.models import Round, RoundKind, School

# The stages whose seats have waitlists, in the order they were admitted.
WAITLIST_STAGES = ("private", "zone")
_HELD_ELSEWHERE = "\u0000held"  # marks a child who holds a place outside the stage


# ---------------------------------------------------------------- per-school outcome


@dataclass(frozen=True)
class SchoolOutcome:
    """One school's line of a run: demand, seats, whether a lottery decided, the cutoff."""

    code: str
    name: str
    stage: str
    seats: int
    applicants: int
    by_category: tuple[tuple[int, int], ...]
    admitted: int
    coordinated: int
    lottery_category: int | None
    draw: str | None
    cutoff_category: int | None
    cutoff_number: int | None

    @property
    def lottery_needed(self) -> bool:
        return self.lottery_category is not None


def run_schools(run: AdmissionRun, codes: Collection[str] | None = None) -> list[SchoolOutcome]:
    """The run's schools (only ``codes`` when given), in code order."""
    last_category = {
        (row["school__code"], row["stage"]): row["last"]
        for row in Placement.objects.filter(run=run, school__isnull=False)
        .values("school__code", "stage")
        .annotate(last=Max("category"))
        .order_by()
    }
    rows = []
    for code, data in sorted(run.summary.get("schools", {}).items()):
        if codes is not None and code not in codes:
            continue
        cutoff = data.get("cutoff") or {}
        rows.append(
            SchoolOutcome(
                code=code,
                name=data["name"],
                stage=data["stage"],
                seats=data["seats"],
                applicants=data["applicants"],
                by_category=tuple(sorted((int(c), n) for c, n in data["by_category"].items())),
                admitted=data["admitted"],
                coordinated=data.get("coordinated", 0),
                lottery_category=data.get("lottery_category"),
                draw=data.get("draw"),
                cutoff_category=last_category.get((code, data["stage"])),
                cutoff_number=cutoff.get("number"),
            )
        )
    return rows


# ---------------------------------------------------------------- comparing two previews


@dataclass(frozen=True)
class SchoolChange:
    code: str
    name: str
    before: SchoolOutcome | None
    after: SchoolOutcome | None
    moved_in: int
    moved_out: int

    @property
    def changed(self) -> bool:
        if self.moved_in or self.moved_out:
            return True
        if self.before is None or self.after is None:
            return True
        fields = ("seats", "applicants", "admitted", "lottery_category", "cutoff_number")
        return any(getattr(self.before, f) != getattr(self.after, f) for f in fields)


@dataclass(frozen=True)
class RunComparison:
    first: AdmissionRun
    second: AdmissionRun
    moved: int  # children in both runs whose school differs
    only_first: int  # children in the first run only
    only_second: int
    schools: tuple[SchoolChange, ...]

    @property
    def same_inputs(self) -> bool:
        return self.first.inputs_sha256 == self.second.inputs_sha256

    @property
    def same_outputs(self) -> bool:
        return self.first.outputs_sha256 == self.second.outputs_sha256


def _assignment(run: AdmissionRun) -> dict[int, str]:
    return {
        application_id: code or ""
        for application_id, code in run.placements.values_list("application_id", "school__code")
    }


def compare_runs(
    first: AdmissionRun, second: AdmissionRun, codes: Collection[str] | None = None
) -> RunComparison:
    """What changed from ``first`` to ``second``: per school, and how many children move."""
    if first.round_id != second.round_id:
        raise ValidationError({"second": "只能比较同一批次的两次预览"})
    before, after = _assignment(first), _assignment(second)
    moved_in: Counter[str] = Counter()
    moved_out: Counter[str] = Counter()
    moved = 0
    for application_id in before.keys() & after.keys():
        old, new = before[application_id], after[application_id]
        if old != new:
            moved += 1
            moved_out[old] += 1
            moved_in[new] += 1
    old_rows = {row.code: row for row in run_schools(first, codes)}
    new_rows = {row.code: row for row in run_schools(second, codes)}
    schools = tuple(
        SchoolChange(
            code=code,
            name=(new_rows.get(code) or old_rows[code]).name,
            before=old_rows.get(code),
            after=new_rows.get(code),
            moved_in=moved_in[code],
            moved_out=moved_out[code],
        )
        for code in sorted(old_rows.keys() | new_rows.keys())
    )
    return RunComparison(
        first=first,
        second=second,
        moved=moved,
        only_first=len(before.keys() - after.keys()),
        only_second=len(after.keys() - before.keys()),
        schools=schools,
    )


# ---------------------------------------------------------------- released seats


@dataclass(frozen=True)
class SeatCount:
    code: str
    name: str
    planned: int
    filled: int  # admitted in the run plus admitted from waitlists
    released: int  # given back by no-shows in committed refills

    @property
    def left(self) -> int:
        return max(0, self.planned - self.filled + self.released)

    @property
    def releasable(self) -> int:
        return max(0, self.filled - self.released)


def seat_counts(run: AdmissionRun) -> dict[str, SeatCount]:
    """Per school of the run's round: planned, filled and released seats."""
    planned = seats_by_school(run.round)
    admitted = Counter(
        run.placements.filter(school__isnull=False).values_list("school__code", flat=True)
    )
    refilled = Counter(
        RefillAdmission.objects.filter(
            refill__run=run, refill__status=RefillStatus.COMMITTED
        ).values_list("school__code", flat=True)
    )
    released: Counter[str] = Counter()
    for refill in SeatRefill.objects.filter(run=run, status=RefillStatus.COMMITTED):
        released.update({code: int(n) for code, n in refill.released.items()})
    names = dict(School.objects.filter(code__in=planned).values_list("code", "name"))
    return {
        code: SeatCount(
            code=code,
            name=names[code],
            planned=seats,
            filled=admitted[code] + refilled[code],
            released=released[code],
        )
        for code, seats in sorted(planned.items())
    }


def _decided_run(run: AdmissionRun) -> AdmissionRun:
    run = AdmissionRun.objects.select_related("round").get(pk=run.pk)
    if run.status == RunStatus.PREVIEW:
        raise ValidationError({"run": "请先确认录取结果，再递补空出的学位"})
    return run


def _waiting(run: AdmissionRun) -> dict[str, Application]:
    """Children of the run still without a place, by their published entry code."""
    refilled = set(
        RefillAdmission.objects.filter(
            refill__run=run, refill__status=RefillStatus.COMMITTED
        ).values_list("application_id", flat=True)
    )
    rows = Application.objects.filter(
        placements__run=run, placements__school__isnull=True, status=Status.UNPLACED
    ).exclude(pk__in=refilled)
    return {pseudonym(run.round, a.reference): a for a in rows.order_by("pk")}


def _refill_fingerprint(
    run: AdmissionRun, released: Mapping[str, int], waiting: Mapping[str, Application]
) -> str:
    committed = sorted(
        SeatRefill.objects.filter(run=run, status=RefillStatus.COMMITTED).values_list(
            "pk", flat=True
        )
    )
    return fingerprint(
        [run.pk, sorted(released.items()), sorted(a.pk for a in waiting.values()), committed]
    )


def _stage_problem(run: AdmissionRun, stage: str) -> Problem:
    """The stage exactly as published, so anyone can recompute the refill from the files."""
    data = run.summary["published"][stage]
    rows = data["applications"]
    return Problem(
        capacities={code: int(n) for code, n in data["capacities"].items()},
        tiebreak={},
        applications=[
            Listing(entry, int(rank), code, int(priority))
            for entry, rank, code, priority, _ in rows
        ],
        school_tiebreak={(entry, code): int(number) for entry, _, code, _, number in rows},
        sibling_groups=[tuple(group) for group in data.get("sibling_groups", [])],
    )


@dataclass(frozen=True)
class _Filled:
    entry: str
    school: str
    stage: str
    priority: int


def _fill(
    run: AdmissionRun, released: Mapping[str, int], waiting: Collection[str]
) -> list[_Filled]:
    still_waiting = set(waiting)
    filled: list[_Filled] = []
    for stage in WAITLIST_STAGES:
        problem = _stage_problem(run, stage)
        here = {code: n for code, n in released.items() if code in problem.capacities and n > 0}
        if not here:
            continue
        result = solve(problem, "da")
        held = {
            entry: (None if entry in still_waiting else (school or _HELD_ELSEWHERE))
            for entry, school in result.assignment.items()
        }
        outcome = fill_released_seats(problem, dataclasses.replace(result, assignment=held), here)
        priority = {(a.student_id, a.school_id): a.priority for a in problem.applications}
        for entry, school in sorted(outcome.newly_admitted.items()):
            filled.append(_Filled(entry, school, stage, priority[(entry, school)]))
            still_waiting.discard(entry)
    return filled


def _lottery_number(
    run: AdmissionRun, application: Application, stage: str, code: str
) -> int | None:
    placement = run.placements.get(application=application)
    for item in placement.explanation.get(stage, []):
        if item.get("school") == code:
            number = item.get("number")
            return int(number) if number is not None else None
    return None


def preview_refill(
    actor: Actor,
    run: AdmissionRun,
    released: Mapping[str, int],
    *,
    reason: str,
    now: dt.datetime | None = None,
) -> SeatRefill:
    """Who would take the released seats: the best-placed children still without a place."""
    now = now or timezone.now()
    run = _decided_run(run)
    if not reason.strip():
        raise ValidationError({"reason": "请说明学位空出的原因"})
    counts = seat_counts(run)
    released = {code: int(n) for code, n in released.items() if int(n) != 0}
    if not released:
        raise ValidationError({"released": "请至少填写一所学校空出的学位数"})
    for code, seats in released.items():
        if code not in counts:
            raise ValidationError({"released": f"学校 {code} 不在本批次"})
        if seats < 0:
            raise ValidationError({"released": f"学校 {code} 的空出学位不能为负数"})
        if seats > counts[code].releasable:
            raise ValidationError(
                {"released": f"{counts[code].name}最多可空出 {counts[code].releasable} 个学位"}
            )
    with transaction.atomic():
        waiting = _waiting(run)
        refill = SeatRefill.objects.create(
            run=run,
            released=released,
            reason=reason.strip()[:200],
            inputs_sha256=_refill_fingerprint(run, released, waiting),
            created_by=actor.name,
            created_at=now,
        )
        schools = {s.code: s for s in School.objects.filter(code__in=released)}
        RefillAdmission.objects.bulk_create(
            RefillAdmission(
                refill=refill,
                application=waiting[item.entry],
                school=schools[item.school],
                stage=item.stage,
                priority=item.priority,
                lottery_number=_lottery_number(run, waiting[item.entry], item.stage, item.school),
            )
            for item in _fill(run, released, waiting)
        )
        record(
            actor,
            "admission.refill_previewed",
            refill,
            run=run.pk,
            released=released,
            reason=refill.reason,
            admitted=refill.admissions.count(),
        )
    return refill


def commit_refill(actor: Actor, refill: SeatRefill, now: dt.datetime | None = None) -> SeatRefill:
    """Admit the previewed children; a second click returns the committed refill unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            SeatRefill.objects.select_for_update().select_related("run__round").get(pk=refill.pk)
        )
        if locked.status == RefillStatus.COMMITTED:
            return locked
        run = AdmissionRun.objects.select_for_update().get(pk=locked.run_id)
        waiting = _waiting(run)
        if _refill_fingerprint(run, locked.released, waiting) != locked.inputs_sha256:
            raise ValidationError({"refill": "预览之后候补名单或学位有变化，请重新预览"})
        admissions = list(locked.admissions.select_related("application__child", "school"))
        Application.objects.filter(
            pk__in=[a.application_id for a in admissions], status=Status.UNPLACED
        ).update(status=Status.ADMITTED, updated_at=now)
        guardians = first_guardians(a.application.child_id for a in admissions)
        enqueue(
            [
                Announcement(
                    f"refill:{locked.pk}:{a.application_id}",
                    guardian.phone,
                    "ADMITTED",
                    {"child": a.application.child.name, "school": a.school.name},
                )
                for a in admissions
                if (guardian := guardians.get(a.application.child_id))
            ],
            now,
        )
        locked.status = RefillStatus.COMMITTED
        locked.committed_at = now
        locked.save(update_fields=["status", "committed_at"])
        record(
            actor,
            "admission.refill_committed",
            locked,
            run=run.pk,
            released=locked.released,
            admitted=sorted(
                (pseudonym(run.round, a.application.reference), a.school.code) for a in admissions
            ),
        )
    return locked


def refill_admission_of(application: Application) -> RefillAdmission | None:
    """The committed waitlist admission of an application, if it has one."""
    return (
        RefillAdmission.objects.filter(
            application=application, refill__status=RefillStatus.COMMITTED
        )
        .select_related("school", "refill")
        .first()
    )


# ---------------------------------------------------------------- supplementary round


def open_supplementary_round(
    actor: Actor,
    main_round: Round,
    timetable: Sequence[dt.datetime],
    *,
    allows_private_choice: bool = True,
    now: dt.datetime | None = None,
) -> Round:
    """A supplementary round (补报名) offering the seats the main round left.

    Families whose children are still without a place are told by SMS.
    """
    now = now or timezone.now()
    if main_round.kind != RoundKind.MAIN:
        raise ValidationError({"round": "补报名只能在正式报名批次之后开设"})
    run = committed_run(main_round)
    if run is None:
        raise ValidationError({"round": "正式批次的录取结果确认后才能开设补报名"})
    school_services.check_timetable(timetable)
    if timetable[0] < main_round.results_on:
        raise ValidationError({"registration_opens": "补报名应在正式批次公布结果之后开始"})
    with transaction.atomic():
        # The run's row lock orders this after any refill being committed (which holds it
        # too), so the seats counted are not handed out twice; a second officer's click
        # then finds the round already open.
        AdmissionRun.objects.select_for_update().get(pk=run.pk)
        if Round.objects.filter(
            term=main_round.term, kind=RoundKind.SUPPLEMENTARY, level=main_round.level
        ).exists():
            raise ValidationError({"round": "补报名已经开设"})
        seats = {code: count.left for code, count in seat_counts(run).items() if count.left > 0}
        if not seats:
            raise ValidationError({"round": "正式批次已没有剩余学位"})
        supplementary = school_services.open_round(
            actor,
            term=main_round.term,
            kind=RoundKind.SUPPLEMENTARY,
            level=main_round.level,
            timetable=timetable,
            allows_private_choice=allows_private_choice,
            seats=seats,
        )
        closes = timezone.localtime(supplementary.registration_closes).strftime("%m月%d日%H:%M")
        unplaced = list(
            Application.objects.filter(round=main_round, status=Status.UNPLACED)
            .select_related("child")
            .order_by("pk")
        )
        guardians = first_guardians(application.child_id for application in unplaced)
        enqueue(
            [
                Announcement(
                    f"supplementary:{supplementary.pk}:{application.pk}",
                    guardian.phone,
                    "SUPPLEMENTARY_OPEN",
                    {"closes": closes},
                )
                for application in unplaced
                if (guardian := guardians.get(application.child_id))
            ],
            now,
        )
        record(
            actor,
            "admission.supplementary_opened",
            supplementary,
            main_round=main_round.pk,
            seats=seats,
            families_told=len(unplaced),
        )
    return supplementary


# ---------------------------------------------------------------- results


def send_all_results(actor: Actor) -> SendReport:
    """Send every queued SMS; pressing it again sends only what is still pending."""
    report = send_pending(actor)
    with transaction.atomic():
        record(
            actor,
            "notifications.sent_all",
            sent=report.sent,
            failed=report.failed,
            pending=report.pending,
        )
    return report


def coordinated_placements(run: AdmissionRun, codes: Collection[str] | None) -> list[Placement]:
    """Children placed by coordination or left without a place, for the bureau's review.

    ``codes`` limits the list to children placed at, or zoned for, those schools.
    """
    rows = (
        run.placements.filter(stage__in=[Stage.COORDINATED, Stage.NONE])
        .select_related("application__child", "application__zone_school", "school")
        .order_by("stage", "school__code", "category", "application__reference")
    )
    if codes is None:
        return list(rows)
    return [
        p
        for p in rows
        if (p.school and p.school.code in codes)
        or (p.application.zone_school and p.application.zone_school.code in codes)
    ]
