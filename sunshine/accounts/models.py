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
