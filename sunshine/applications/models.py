"""Children, guardians and their applications in a round."""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.privacy.fields import EncryptedTextField


class Guardian(models.Model):
    name = models.CharField(max_length=32)
    id_number = EncryptedTextField(purpose="guardian.id_number")
    id_index = models.CharField(max_length=32, unique=True)
    phone = EncryptedTextField(purpose="guardian.phone")
    phone_index = models.CharField(max_length=32, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardians",
    )

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Child(models.Model):
    name = models.CharField(max_length=32)
    id_number = EncryptedTextField(purpose="child.id_number")
    id_index = models.CharField(max_length=32, unique=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    # Children of one multiple birth share a group code; lotteries treat them as one entry.
    twin_group = models.CharField(max_length=32, blank=True, db_index=True)
    guardians = models.ManyToManyField(Guardian, through="Guardianship", related_name="children")

    def __str__(self) -> str:
        return self.name


class Guardianship(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE)
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE)
    relation = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "guardian"], name="one_link_per_guardian")
        ]


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    VERIFIED = "verified", _("核验通过")
    REVIEW = "review", _("待人工审核")
    OFFLINE_CHECK = "offline_check", _("待学校线下核查")
    ADMITTED = "admitted", _("已录取")
    UNPLACED = "unplaced", _("未录取")
    ENROLLED = "enrolled", _("已报到")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """One child's application in one round.

    The declaration (what the family typed, including ID numbers and
    addresses) is stored encrypted as JSON; verification compares it with
    department records and never overwrites it.
    """

    reference = models.CharField(max_length=20, unique=True)
    round = models.ForeignKey(
        "schools.Round", on_delete=models.PROTECT, related_name="applications"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    declaration_json = EncryptedTextField(purpose="application.declaration")
    zone_school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    home_latitude = models.FloatField(null=True, blank=True)
    home_longitude = models.FloatField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "child"], name="one_application_per_round")
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def declaration(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.declaration_json)
        return loaded


class Choice(models.Model):
    """A ranked choice where the round allows one (a private school under 公民同招)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField()
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="one_choice_per_rank"),
            models.UniqueConstraint(fields=["application", "school"], name="school_listed_once"),
        ]
