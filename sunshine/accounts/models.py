"""Who may do what: one user table, a role, and the scope the role applies to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.privacy.fields import EncryptedTextField


class Role(models.TextChoices):
    PARENT = "parent", _("家长")
    SCHOOL = "school", _("学校")
    DISTRICT = "district", _("区县教育局")
    CITY = "city", _("市教育局")
    OBSERVER = "observer", _("监督员")


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARENT)
    district = models.ForeignKey(
        "schools.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = EncryptedTextField(purpose="user.phone", blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="school_staff_have_a_school",
                condition=~models.Q(role="school") | models.Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="district_staff_have_a_district",
                condition=~models.Q(role="district") | models.Q(district__isnull=False),
            ),
        ]

    @property
    def is_staff_role(self) -> bool:
        return self.role in {Role.SCHOOL, Role.DISTRICT, Role.CITY}


# Parents' SMS log-in ------------------------------------------------------------------


class LoginPhone(models.Model):
    """One row per phone that asked for a code; its lock serialises that phone's requests."""

    phone_index = models.CharField(max_length=32, unique=True)


class CodeDelivery(models.TextChoices):
    PENDING = "pending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class LoginCode(models.Model):
    """A one-time SMS code. Only a keyed hash of the code is stored, never the code."""

    phone_index = models.CharField(max_length=32)
    client_index = models.CharField(max_length=32)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(
        max_length=8, choices=CodeDelivery.choices, default=CodeDelivery.PENDING
    )
    provider_message_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone_index", "created_at"]),
            models.Index(fields=["client_index", "created_at"]),
        ]


class ExternalIdentity(models.Model):
    """A parent's account at the province's unified identity (OpenID Connect issuer + subject)."""

    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    created_at = models.DateTimeField()
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_identity")
        ]
