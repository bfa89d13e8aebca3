"""The city-wide rates counted by the database agree with the per-district rows."""

import pytest
from django.utils import timezone

from sunshine import testing
from sunshine.admissions.statistics import by_district, totals
from sunshine.applications.models import Application, Status
from sunshine.verification.models import VerificationCheck


@pytest.mark.django_db
def test_totals_equal_the_sum_of_the_district_rows():
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    applications = [testing.verified_application(round_, school, 1) for _ in range(6)]
    testing.verified_application(round_, None, 5)  # no zone: its own row
    for application in applications[:4]:
        VerificationCheck.objects.create(
            application=application,
            check_name="hukou",
            status="verified" if application != applications[0] else "needs_review",
            checked_at=timezone.now(),
        )
    Application.objects.filter(pk=applications[1].pk).update(status=Status.ADMITTED)
    Application.objects.filter(pk=applications[2].pk).update(status=Status.UNPLACED)
    Application.objects.filter(pk=applications[3].pk).update(status=Status.WITHDRAWN)
    whole = totals(Application.objects.all())
    rows = by_district(Application.objects.all())
    for field in ("children", "registered", "submitted", "verified", "decided", "admitted"):
        assert getattr(whole, field) == sum(getattr(row, field) for row in rows), field
    assert (whole.submitted, whole.verified, whole.decided, whole.admitted) == (6, 2, 2, 1)
