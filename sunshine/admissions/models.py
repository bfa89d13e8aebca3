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


# Lottery ceremonies (公开摇号仪式): the entry list is frozen and published, the seed
# sources are announced, their values are entered at the ceremony, then the draw.


class CeremonyPurpose(models.TextChoices):
    ADMISSION = "admission", _("本轮录取摇号")
    OTHER = "other", _("其他公开抽签")


class CeremonyStatus(models.TextChoices):
    DRAFT = "draft", _("待冻结名单")
    FROZEN = "frozen", _("名单已冻结，公布随机数来源")
    ANNOUNCED = "announced", _("来源已公布，待录入数值")
    DRAWN = "drawn", _("已摇号")


_CEREMONY_STATUS_ORDER = list(CeremonyStatus.values)
# Fields fixed for good once the entry list is frozen and published.
_FROZEN_CEREMONY_FIELDS = (
    "title",
    "round_id",
    "school_id",
    "purpose",
    "scheduled_at",
    "venue",
    "supersedes_id",
    "reason",
    "entry_count",
    "entry_list_sha256",
    "frozen_at",
    "frozen_by",
)


class Ceremony(models.Model):
    title = models.CharField(max_length=128)
    round = models.ForeignKey("schools.Round", on_delete=models.PROTECT, related_name="ceremonies")
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ceremonies",
    )
    purpose = models.CharField(max_length=16, choices=CeremonyPurpose.choices)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=128, blank=True)
    status = models.CharField(
        max_length=16, choices=CeremonyStatus.choices, default=CeremonyStatus.DRAFT
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    entry_count = models.PositiveIntegerField(default=0)
    entry_list_sha256 = models.CharField(max_length=64, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.CharField(max_length=150, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    draw = models.OneToOneField(
        LotteryDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="ceremony"
    )
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None:
                self._refuse_changes_to_published(stored)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.frozen_at is not None:
            raise ImmutableRecord("a published ceremony is never deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def _refuse_changes_to_published(self, stored: Ceremony) -> None:
        fixed: list[str] = []
        if stored.frozen_at is not None:
            fixed += _FROZEN_CEREMONY_FIELDS
        if stored.announced_at is not None:
            fixed.append("announced_at")
        if stored.draw_id is not None:
            fixed += ["draw_id", "drawn_at"]
        changed = [name for name in fixed if getattr(stored, name) != getattr(self, name)]
        if changed:
            raise ImmutableRecord(f"a published ceremony never changes: {', '.join(changed)}")
        if _CEREMONY_STATUS_ORDER.index(self.status) < _CEREMONY_STATUS_ORDER.index(stored.status):
            raise ImmutableRecord("a ceremony never goes back to an earlier step")


class CeremonyEntry(models.Model):
    """One line of a frozen entry list: the code that is drawn and its masked display."""

    ceremony = models.ForeignKey(Ceremony, on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=40)
    masked_name = models.CharField(max_length=128)
    masked_id = models.CharField(max_length=128)

    class Meta:
        ordering = ["ceremony", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony", "position"], name="one_entry_per_ceremony_position"
            ),
            models.UniqueConstraint(fields=["ceremony", "code"], name="one_entry_per_code"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            self.pk is not None
            or Ceremony.objects.filter(pk=self.ceremony_id, frozen_at__isnull=False).exists()
        ):
            raise ImmutableRecord("a frozen entry list never changes")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord("a frozen entry list never changes")


class SourceKind(models.TextChoices):
    LOTTERY = "lottery", _("公开彩票开奖结果")
    DRAND = "drand", _("drand 公共随机数")
    ONSITE = "onsite", _("现场监督员数字")


class ObserverRole(models.TextChoices):
    NOTARY = "notary", _("公证员")
    DEPUTY = "deputy", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    DISCIPLINE = "discipline", _("纪检监察")
    PARENT = "parent", _("家长代表")
    PRESS = "press", _("媒体记者")
    OTHER = "other", _("其他监督员")


_ANNOUNCED_SOURCE_FIELDS = (
    "ceremony_id",
    "position",
    "kind",
    "name",
    "lottery_game",
    "lottery_draw_number",
    "lottery_draw_date",
    "drand_chain",
    "drand_round",
    "observer_name",
    "observer_role",
    "announced_at",
    "announced_by",
)


class CeremonySource(models.Model):
    """A seed source announced before the draw; its value is accepted once, at the ceremony."""

    ceremony = models.ForeignKey(Ceremony, on_delete=models.PROTECT, related_name="sources")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    name = models.CharField(max_length=128)
    lottery_game = models.CharField(max_length=16, blank=True)
    lottery_draw_number = models.CharField(max_length=32, blank=True)
    lottery_draw_date = models.DateField(null=True, blank=True)
    drand_chain = models.CharField(max_length=32, blank=True)
    drand_round = models.PositiveBigIntegerField(null=True, blank=True)
    observer_name = models.CharField(max_length=64, blank=True)
    observer_role = models.CharField(max_length=16, choices=ObserverRole.choices, blank=True)
    announced_at = models.DateTimeField()
    announced_by = models.CharField(max_length=150)
    value = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.CharField(max_length=320, blank=True)

    class Meta:
        ordering = ["ceremony", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony", "position"], name="one_source_per_ceremony_position"
            ),
            models.UniqueConstraint(fields=["ceremony", "name"], name="one_source_per_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = type(self).objects.filter(pk=self.pk).first() if self.pk else None
        if stored is None:
            if not Ceremony.objects.filter(
                pk=self.ceremony_id, status=CeremonyStatus.FROZEN
            ).exists():
                raise ImmutableRecord("sources are announced only before values are entered")
        else:
            fixed = list(_ANNOUNCED_SOURCE_FIELDS)
            if stored.accepted_at is not None:
                fixed += ["value", "evidence", "accepted_at", "accepted_by"]
            changed = [name for name in fixed if getattr(stored, name) != getattr(self, name)]
            if changed:
                raise ImmutableRecord(f"an announced source never changes: {', '.join(changed)}")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord("an announced source stays on the record")

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class TypedValue(models.Model):
    """One person's independent typing of a source value (two must agree)."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", _("等待另一人录入")
        AGREED = "agreed", _("两人一致")
        MISMATCH = "mismatch", _("两人不一致")

    source = models.ForeignKey(CeremonySource, on_delete=models.PROTECT, related_name="typings")
    typed_by = models.CharField(max_length=150)
    value = models.TextField()
    typed_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.WAITING)

    class Meta:
        ordering = ["source", "typed_at", "pk"]


class CeremonyRun(models.Model):
    """An admission run whose school draws took their sources from a ceremony."""

    ceremony = models.ForeignKey(Ceremony, on_delete=models.PROTECT, related_name="runs")
    run = models.OneToOneField(AdmissionRun, on_delete=models.CASCADE, related_name="ceremony_link")
    created_at = models.DateTimeField()
