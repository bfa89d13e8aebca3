"""The console's verification progress: counts by status and failures by reason, in scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.accounts.staff_login import enroll_totp
from sunshine.audit.services import Actor
from sunshine.verification.models import VerificationCheck
from sunshine.verification.selectors import verification_progress


def _failed(application, check, reason):
    VerificationCheck.objects.create(
        application=application,
        check_name=check,
        status="not_found",
        reason_code=reason,
        checked_at=timezone.now() - dt.timedelta(minutes=1),
    )


@pytest.fixture
def two_schools(db):
    round_ = testing.round_()
    mine = testing.school("S1", round_, seats=5)
    other = testing.school("S2", round_, seats=5)
    ours = [testing.verified_application(round_, mine, 1) for _ in range(3)]
    theirs = testing.verified_application(round_, other, 1)
    _failed(ours[0], "property", "property_not_found")
    _failed(ours[1], "property", "property_not_found")
    _failed(theirs, "rental", "rental_not_found")
    return mine, ours, theirs


def test_a_school_sees_its_own_progress_and_failures_only(two_schools):
    mine, ours, _ = two_schools
    staff = User.objects.create_user("s", role=Role.SCHOOL, school=mine)
    progress = verification_progress(staff)
    assert progress.total == len(ours)
    assert progress.failures == [("property", "property_not_found", 2)]


def test_the_city_sees_every_failure_on_the_worklist_page(client, two_schools):
    city = User.objects.create_user("c", role=Role.CITY)
    enroll_totp(Actor("setup"), city)
    client.force_login(city)
    page = client.get(reverse("verification:worklist")).content.decode()
    assert "核验进度" in page
    assert "查无不动产登记" in page and "查无租赁备案" in page
