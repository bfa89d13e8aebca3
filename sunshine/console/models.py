"""Records of admission-day operations that come after a committed run.

Seats released by no-shows are filled from the waitlists in a refill: previewed
first, then committed once. A committed refill never changes; it only ever adds
admitted children, and nobody who holds a place is moved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RefillStatus(models.TextChoices):
    PREVIEW = "preview", _("预览")
    COMMITTED = "committed", _("已确认")


class SeatRefill(models.Model):
    """One filling of released seats (递补) of a round from its waitlists."""

    run = models.ForeignKey("admissions.AdmissionRun", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=RefillStatus.choices, default=RefillStatus.PREVIEW
    )
    released = models.JSONField(default=dict)  # school code -> seats released
    reason = models.CharField(max_length=200)
    inputs_sha256 = models.CharField(max_length=64)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class RefillAdmission(models.Model):
    """A child admitted from a waitlist to a released seat."""

    refill = models.ForeignKey(SeatRefill, on_delete=models.CASCADE, related_name="admissions")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16)
    priority = models.PositiveIntegerField()
    lottery_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["refill", "application"], name="one_refill_admission_per_child"
            )
        ]
