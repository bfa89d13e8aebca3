"""Lottery draws, admission runs and the placements they produce.

A draw record and a committed run never change: a redraw is a new record
that names the one it supersedes, and a new run is a new row.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableRecord(Exception):
    """Raised when code tries to change a record that is final."""


class LotteryDraw(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    round = models.ForeignKey(
        "schools.Round", null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    title = models.CharField(max_length=128)
    record = models.JSONField()
    entry_list_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=64)
    entry_count = models.PositiveIntegerField()
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.CharField(max_length=200, blank=True)
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-drawn_at", "reference"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("a lottery record is never changed; draw again with a reason")
        super().save(*args, **kwargs)


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("预览")
    COMMITTED = "committed", _("已确认")
    PUBLISHED = "published", _("已公布")


class Stage(models.TextChoices):
    PRIVATE = "private", _("民办学校摇号")
    ZONE = "zone", _("划片录取")
    COORDINATED = "coordinated", _("统筹安排")
    NONE = "none", _("未安排")


class AdmissionRun(models.Model):
    round = models.ForeignKey("schools.Round", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PREVIEW)
    algorithm = models.CharField(max_length=64)
    inputs_sha256 = models.CharField(max_length=64)
    outputs_sha256 = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    draws = models.ManyToManyField(LotteryDraw, related_name="runs", blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=~models.Q(status="preview"),
                name="one_committed_run_per_round",
            )
        ]


class Placement(models.Model):
    run = models.ForeignKey(AdmissionRun, on_delete=models.CASCADE, related_name="placements")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="placements"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)
    category = models.PositiveSmallIntegerField(null=True, blank=True)
    lottery_number = models.PositiveIntegerField(null=True, blank=True)
    explanation = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="one_placement_per_run")
        ]
