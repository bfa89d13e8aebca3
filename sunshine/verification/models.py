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


class ApplicationFacts(models.Model):
    """The verified facts of an application, as the policy reads them, kept for what-if.

    ``values`` holds known facts (dates as ISO text), ``pending`` the facts still
    waiting for a department or a person, ``overrides`` the facts staff settled
    in a review. They are judged against the application's zone school.
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="facts"
    )
    values = models.JSONField(default=dict)
    pending = models.JSONField(default=list)
    overrides = models.JSONField(default=dict)
    derived_at = models.DateTimeField()


class CaseKind(models.TextChoices):
    REVIEW = "review", _("人工审核")
    OFFLINE_CHECK = "offline_check", _("线下核查")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DECIDED = "decided", _("已决定")
    CLOSED = "closed", _("已自动关闭")


class CaseOutcome(models.TextChoices):
    NONE = "", _("—")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核未通过")
    LIVES_IN_ZONE = "lives_in_zone", _("核实在片区内居住")
    NOT_IN_ZONE = "not_in_zone", _("核实不在片区内居住")
    RESOLVED = "resolved", _("重新核验后无需人工处理")


class ReviewCase(models.Model):
    """An application waiting for a person: manual review or a school's offline check.

    At most one case of each kind is open per application. ``reasons`` are the
    reason codes that sent it here (``department_unavailable``,
    ``address_ambiguous``, ``parent_request`` …).
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="review_cases"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=CaseKind.choices)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    requested_by_parent = models.BooleanField(default=False)
    parent_note = EncryptedTextField(purpose="case.parent_note", blank=True)
    assigned_to = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=CaseOutcome.choices, blank=True)
    decision_reason = EncryptedTextField(purpose="case.decision_reason", blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    settled_facts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=models.Q(status="open"),
                name="one_open_case_per_kind",
            )
        ]
        indexes = [models.Index(fields=["school", "status", "kind"])]


class HomeVisit(models.Model):
    """What a school found at a family's home (入户核查)."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    visitor = models.CharField(max_length=150)
    lives_in_zone = models.BooleanField()
    findings = EncryptedTextField(purpose="case.visit_findings")
    recorded_at = models.DateTimeField()


class ReviewDocument(models.Model):
    """The one document a family may upload for a manual review, stored under a random name.

    It is served only through a view that checks who asks, by ``token``; the
    stored file name is never shown.
    """

    case = models.OneToOneField(ReviewCase, on_delete=models.CASCADE, related_name="document")
    token = models.CharField(max_length=43, unique=True)
    stored_name = models.CharField(max_length=96, unique=True)
    content_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()
