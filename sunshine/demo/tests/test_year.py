"""The whole year at a small size, through the services, on the test database.

One test runs the year once and then checks, stage by stage, what a bureau
relies on; running the year once per check would multiply the suite's time.
"""

import json

import pytest

from sunshine.admissions.models import AdmissionRun, LotteryDraw, Placement, RunStatus
from sunshine.admissions.services import publication_folder
from sunshine.applications.models import Application, Status
from sunshine.audit.selectors import verify_chain
from sunshine.classes.models import ClassMembership, SchoolClass
from sunshine.demo.year import YearReport, run_year
from sunshine.engine.lottery.record import verify_record
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.verification.models import CategoryAssignment


@pytest.mark.django_db
def test_the_whole_year_on_a_small_city(settings):
    report = run_year(400, seed=7, progress=False)
    every_child_applies_online_and_every_decided_child_is_placed(report)
    admitted_children_fit_the_seats_except_twins()
    each_checked_application_gets_a_category_from_the_policy()
    every_draw_verifies_and_runs_are_published()
    every_admitted_pupil_is_in_exactly_one_class_with_a_head_teacher()
    every_family_is_told_the_result_once(settings.SUNSHINE_SMS_FILE)
    the_audit_chain_is_intact(report)


def every_child_applies_online_and_every_decided_child_is_placed(report: YearReport) -> None:
    assert report.figures["registration_rate"] == 1.0
    assert report.figures["admission_rate"] == 1.0
    decided = Application.objects.filter(status__in=[Status.ADMITTED, Status.UNPLACED])
    assert decided.filter(status=Status.ADMITTED).count() == decided.count() > 300


def admitted_children_fit_the_seats_except_twins() -> None:
    for run in AdmissionRun.objects.all():
        for code, school in run.summary["schools"].items():
            over = school["admitted"] + school.get("coordinated", 0) - school["seats"]
            assert over <= 1, f"{code} is {over} over capacity"


def each_checked_application_gets_a_category_from_the_policy() -> None:
    categorised = CategoryAssignment.objects.count()
    assert categorised == Application.objects.exclude(status=Status.REVIEW).count()
    assert set(CategoryAssignment.objects.values_list("category", flat=True)) <= {1, 2, 3, 4, 5}


def every_draw_verifies_and_runs_are_published() -> None:
    assert LotteryDraw.objects.exists()
    for draw in LotteryDraw.objects.all():
        assert verify_record(draw.record, check_drand_signatures=False).ok
    runs = AdmissionRun.objects.all()
    assert {run.status for run in runs} == {RunStatus.PUBLISHED}
    for run in runs:
        assert (publication_folder(run) / "zone" / "assignments.csv").exists()


def every_admitted_pupil_is_in_exactly_one_class_with_a_head_teacher() -> None:
    admitted = Placement.objects.filter(school__isnull=False).count()
    assert ClassMembership.objects.count() == admitted
    assert not SchoolClass.objects.filter(head_teacher__isnull=True).exists()


def every_family_is_told_the_result_once(sms_file) -> None:  # type: ignore[no-untyped-def]
    results = OutboxMessage.objects.filter(template_id__in=["ADMITTED", "UNPLACED"])
    assert results.count() == Placement.objects.count()
    assert not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()
    lines = sms_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == OutboxMessage.objects.count()
    assert all(json.loads(line)["template_id"] for line in lines)


def the_audit_chain_is_intact(report: YearReport) -> None:
    chain = verify_chain()
    assert chain.ok and chain.events_checked == report.figures["audit_events"]
