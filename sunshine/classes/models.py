"""Classes of the entry grade, their pupils and their head teachers."""

from __future__ import annotations

from django.db import models


class Teacher(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="teachers")
    name = models.CharField(max_length=32)


class PlacementRun(models.Model):
    """One click of 一键分班 for a school: the seed, the classes and their balance."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+")
    seed_hex = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=64)
    quality = models.JSONField(default=dict)
    frozen = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "term"], condition=models.Q(frozen=True), name="one_frozen_run"
            )
        ]


class SchoolClass(models.Model):
    run = models.ForeignKey(PlacementRun, on_delete=models.CASCADE, related_name="classes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=32)
    head_teacher = models.ForeignKey(
        Teacher, null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    teacher_draw = models.ForeignKey(
        "admissions.LotteryDraw", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="class_number")]


class ClassMembership(models.Model):
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="members")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "application"], name="pupil_listed_once_per_class"
            )
        ]
