"""The whole year at a small size, through the services, on the test database."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from sunshine.admissions.models import AdmissionRun, LotteryDraw, Placement, RunStatus
from sunshine.admissions.services import publication_folder
from sunshine.applications.models import Application, Status
from sunshine.audit.selectors import verify_chain
from sunshine.classes.models import ClassMembership, SchoolClass
from sunshine.demo.year import YearReport, run_year
from sunshine.engine.lottery.record import verify_record
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.verification.models import CategoryAssignment

pytestmark = pytest.mark.slow


@dataclass
class Year:
    report: YearReport
    folder: Path

    @property
    def figures(self) -> dict[str, object]:
        return self.report.figures


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("year")
    outputs = override_settings(
        SUNSHINE_SMS_BACKEND="file",
        SUNSHINE_SMS_FILE=folder / "sms.jsonl",
        SUNSHINE_PUBLISH_DIR=folder / "published",
    )
    with django_db_blocker.unblock(), outputs:
        yield Year(run_year(400, seed=7, progress=False), folder)
        # Module-scoped data lives outside the per-test transactions; remove it.
        call_command("flush", verbosity=0, interactive=False)


@pytest.mark.django_db
def test_every_child_applies_online_and_every_decided_child_is_placed(year):
    assert year.figures["registration_rate"] == 1.0
    assert year.figures["admission_rate"] == 1.0
    decided = Application.objects.filter(status__in=[Status.ADMITTED, Status.UNPLACED])
    assert decided.filter(status=Status.ADMITTED).count() == decided.count() > 300


@pytest.mark.django_db
def test_admitted_children_fit_the_seats_except_twins(year):
    for run in AdmissionRun.objects.all():
        for code, school in run.summary["schools"].items():
            over = school["admitted"] + school.get("coordinated", 0) - school["seats"]
            assert over <= 1, f"{code} is {over} over capacity"


@pytest.mark.django_db
def test_each_application_gets_a_category_from_the_policy(year):
    assert (
        CategoryAssignment.objects.count()
        == Application.objects.exclude(status=Status.REVIEW).count()
    )
    assert set(CategoryAssignment.objects.values_list("category", flat=True)) <= {1, 2, 3, 4, 5}


@pytest.mark.django_db
def test_every_draw_verifies_and_runs_are_published(year):
    assert LotteryDraw.objects.exists()
    for draw in LotteryDraw.objects.all():
        assert verify_record(draw.record, check_drand_signatures=False).ok
    runs = AdmissionRun.objects.all()
    assert {run.status for run in runs} == {RunStatus.PUBLISHED}
    for run in runs:
        with override_settings(SUNSHINE_PUBLISH_DIR=year.folder / "published"):
            assert (publication_folder(run) / "zone" / "assignments.csv").exists()


@pytest.mark.django_db
def test_every_admitted_pupil_is_in_exactly_one_class_with_a_head_teacher(year):
    admitted = Placement.objects.filter(school__isnull=False).count()
    assert ClassMembership.objects.count() == admitted
    assert not SchoolClass.objects.filter(head_teacher__isnull=True).exists()


@pytest.mark.django_db
def test_every_family_is_told_the_result_once(year):
    results = OutboxMessage.objects.filter(template_id__in=["ADMITTED", "UNPLACED"])
    assert results.count() == Placement.objects.count()
    assert not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()
    lines = (year.folder / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == OutboxMessage.objects.count()
    assert all(json.loads(line)["template_id"] for line in lines)


@pytest.mark.django_db
def test_the_audit_chain_is_intact(year):
    report = verify_chain()
    assert report.ok and report.events_checked == year.figures["audit_events"]
