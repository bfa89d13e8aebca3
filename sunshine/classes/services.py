"""One-click class placement, freezing the lists, and the head-teacher draw."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sunshine.admissions.lottery import conduct_draw, seed_for
from sunshine.admissions.models import RunStatus
from sunshine.admissions.selectors import pseudonym
from sunshine.applications.models import Application, Status
from sunshine.audit.services import Actor, record
from sunshine.classes.models import ClassMembership, PlacementRun, SchoolClass, Teacher
from sunshine.console.models import RefillAdmission, RefillStatus
from sunshine.engine import classes as engine
from sunshine.engine.lottery.sources import Source
from sunshine.schools.models import Level, School, Term

GRADE_NAMES = {Level.PRIMARY: "一年级", Level.JUNIOR: "七年级"}


def class_name(school: School, number: int) -> str:
    return f"{GRADE_NAMES[Level(school.level)]}（{number}）班"


def admitted_pupils(school: School, term: Term) -> list[Application]:
    """Children admitted to the school in the term, by a committed run or from a waitlist.

    A child who has since withdrawn is left out: the seat went back to the pool.
    """
    decided = [RunStatus.COMMITTED, RunStatus.PUBLISHED]
    by_run = Application.objects.filter(
        placements__school=school,
        placements__run__round__term=term,
        placements__run__status__in=decided,
    )
    by_waitlist = Application.objects.filter(
        pk__in=RefillAdmission.objects.filter(
            school=school,
            refill__status=RefillStatus.COMMITTED,
            refill__run__round__term=term,
        ).values("application")
    )
    return list(
        Application.objects.filter(
            Q(pk__in=by_run.values("pk")) | Q(pk__in=by_waitlist.values("pk")),
            status__in=[Status.ADMITTED, Status.ENROLLED],
        )
        .select_related("child", "round")
        .order_by("reference")
    )


def place_classes(
    actor: Actor,
    school: School,
    term: Term,
    *,
    sources: Sequence[Source],
    now: dt.datetime | None = None,
) -> PlacementRun:
    """Preview a balanced placement of the school's admitted pupils into classes."""
    now = now or timezone.now()
    admitted = admitted_pupils(school, term)
    if not admitted:
        raise ValidationError({"school": "该校还没有已确认录取的学生"})
    pupils = [_pupil(a) for a in admitted]
    seed = seed_for(sorted(pupil.pupil_id for pupil in pupils), sources)
    class_count = math.ceil(len(pupils) / school.class_size)
    try:
        result = engine.place_pupils(
            engine.PlacementRequest(pupils=pupils, seed=seed, class_count=class_count)
        )
    except engine.PlacementError as error:
        raise ValidationError({"school": str(error)}) from None
    by_pupil = {pupil.pupil_id: a for pupil, a in zip(pupils, admitted, strict=True)}
    with transaction.atomic():
        run = PlacementRun.objects.create(
            school=school,
            term=term,
            seed_hex=seed.hex(),
            algorithm=result.algorithm,
            quality=_quality(result.quality),
            created_at=now,
        )
        for number, members in enumerate(result.classes, start=1):
            school_class = SchoolClass.objects.create(
                run=run, number=number, name=class_name(school, number)
            )
            ClassMembership.objects.bulk_create(
                ClassMembership(school_class=school_class, application=by_pupil[pupil_id])
                for pupil_id in members
            )
        record(
            actor,
            "classes.placed",
            run,
            school=school.code,
            pupils=len(pupils),
            classes=class_count,
            seed=seed.hex(),
            sources=[source.as_json() for source in sources],
        )
    return run


def freeze_classes(actor: Actor, run: PlacementRun) -> PlacementRun:
    with transaction.atomic():
        # Every run of the school's term is locked, in one order, so that two officers
        # freezing two previews at once are served one after the other: the second sees
        # the first's result instead of tripping the one-frozen-run constraint.
        runs = {
            r.pk: r
            for r in PlacementRun.objects.select_for_update()
            .filter(school_id=run.school_id, term_id=run.term_id)
            .order_by("pk")
        }
        locked = runs[run.pk]
        if locked.frozen:
            return locked
        if any(other.frozen for other in runs.values()):
            raise ValidationError({"run": "该校已有确定的分班结果"})
        locked.frozen = True
        locked.save(update_fields=["frozen"])
        record(actor, "classes.frozen", locked, school=locked.school.code)
    return locked


def draw_head_teachers(
    actor: Actor,
    run: PlacementRun,
    *,
    sources: Sequence[Source],
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Draw head teachers to the frozen classes in public; returns class name -> teacher."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = PlacementRun.objects.select_for_update().get(pk=run.pk)
        if not locked.frozen:
            raise ValidationError({"run": "请先确定分班名单，再抽签确定班主任"})
        classes = list(locked.classes.order_by("number"))
        if any(c.head_teacher_id for c in classes):
            raise ValidationError({"run": "班主任已抽签确定"})
        teachers = list(Teacher.objects.filter(school=locked.school).order_by("pk"))
        if len(teachers) != len(classes):
            raise ValidationError(
                {"teachers": f"需要{len(classes)}位班主任，现有{len(teachers)}位"}
            )
        teacher_ids = [f"T{t.pk}" for t in teachers]
        draw = conduct_draw(
            actor,
            title=f"{locked.school.name} 班主任抽签",
            entries=teacher_ids,
            sources=sources,
            now=now,
            school=locked.school,
        )
        drawn = engine.draw_teachers(
            [str(c.number) for c in classes], teacher_ids, bytes.fromhex(draw.record["seed"])
        )
        by_id = {f"T{t.pk}": t for t in teachers}
        assignment = {}
        for school_class in classes:
            teacher = by_id[drawn.teacher_of[str(school_class.number)]]
            school_class.head_teacher = teacher
            school_class.teacher_draw = draw
            assignment[school_class.name] = teacher.name
        SchoolClass.objects.bulk_update(classes, ["head_teacher", "teacher_draw"])
        record(actor, "classes.teachers_drawn", locked, draw=draw.reference)
    return assignment


def add_teachers(actor: Actor, school: School, names: Sequence[str]) -> list[Teacher]:
    with transaction.atomic():
        teachers = Teacher.objects.bulk_create(Teacher(school=school, name=n) for n in names)
        record(actor, "classes.teachers_added", school, count=len(teachers))
    return teachers


def _pupil(application: Application) -> engine.Pupil:
    child = application.child
    return engine.Pupil(
        pupil_id=pseudonym(application.round, application.reference),
        sex="M" if child.sex == "M" else "F",
        birth_month=engine.birth_month_index(child.birth_date.year, child.birth_date.month),
        twin_group=child.twin_group or None,
    )


def _quality(quality: engine.PlacementQuality) -> dict[str, object]:
    return {
        "class_count": quality.class_count,
        "max_size_difference": quality.max_size_difference,
        "max_boys_difference": quality.max_boys_difference,
        "max_girls_difference": quality.max_girls_difference,
        "birth_month_mean_spread": round(quality.birth_month_mean_spread, 3),
        "special_needs_per_class": list(quality.special_needs_per_class),
    }
