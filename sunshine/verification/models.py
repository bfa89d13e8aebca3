"""Department records, the checks made against them, and derived categories."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.privacy.fields import EncryptedTextField


class Department(models.TextChoices):
    POLICE = "police", _("公安")
    NATURAL_RESOURCES = "natural_resources", _("自然资源和规划")
    HOUSING = "housing", _("住房和城乡建设")
    HUMAN_RESOURCES = "human_resources", _("人力资源和社会保障")
    HEALTH = "health", _("卫生健康")


class RecordKind(models.TextChoices):
    HUKOU = "hukou", _("户籍")
    BIRTH = "birth", _("出生医学证明")
    PROPERTY = "property", _("不动产登记")
    HOUSING_CONTRACT = "housing_contract", _("商品房网签")
    RENTAL = "rental", _("租赁备案")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    RESIDENCE_PERMIT = "residence_permit", _("居住证")


class DepartmentExtract(models.Model):
    """One batch of records a department handed over (file import or sync)."""

    department = models.CharField(max_length=24, choices=Department.choices)
    kind = models.CharField(max_length=24, choices=RecordKind.choices)
    source_name = models.CharField(max_length=128)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)


class DepartmentRecord(models.Model):
    """One department record, looked up by the blind index of its key.

    The key is the ID number, certificate number or registration number the
    department files it under; the record itself is encrypted JSON.
    """

    kind = models.CharField(max_length=24, choices=RecordKind.choices)
    key_index = models.CharField(max_length=32)
    payload_json = EncryptedTextField(purpose="department.record")
    extract = models.ForeignKey(DepartmentExtract, on_delete=models.CASCADE, related_name="records")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key_index"], name="one_record_per_key")
        ]

    @property
    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload_json)
        return loaded


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("核验中")
    VERIFIED = "verified", _("核验通过")
    MISMATCH = "mismatch", _("信息不一致")
    NOT_FOUND = "not_found", _("未查到记录")
    NEEDS_REVIEW = "needs_review", _("需人工审核")


class VerificationCheck(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="checks"
    )
    check_name = models.CharField(max_length=24)
    status = models.CharField(max_length=16, choices=CheckStatus.choices)
    reason_code = models.CharField(max_length=48, blank=True)
    field = models.CharField(max_length=48, blank=True)
    message_zh = models.CharField(max_length=300, blank=True)
    message_en = models.CharField(max_length=400, blank=True)
    # What the records established may include a resolved address: personal data.
    facts_json = EncryptedTextField(purpose="check.facts", blank=True)
    retryable = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=1)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "check_name"], name="one_result_per_check"
            )
        ]


class CategoryAssignment(models.Model):
    """The priority category (第一类 … 第五类) that verified facts give an application."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="category"
    )
    category = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=64)
    offline_check = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    policy_sha256 = models.CharField(max_length=64)
    assigned_at = models.DateTimeField()
