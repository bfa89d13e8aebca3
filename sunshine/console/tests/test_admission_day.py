"""Admission day from the console: preview, compare, commit once, publish, notify, refill,
supplementary round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sunshine import testing
from sunshine.admissions import runs as admission_runs
from sunshine.admissions import services as admissions
from sunshine.admissions.lottery import numbers_of
from sunshine.admissions.models import AdmissionRun, RunStatus
from sunshine.admissions.selectors import pseudonym
from sunshine.applications.models import Status
from sunshine.audit.models import AuditEvent
from sunshine.classes import services as classes
from sunshine.classes.models import ClassMembership
from sunshine.console.models import RefillAdmission
from sunshine.console.tests.conftest import BUREAU, SOURCES
from sunshine.engine.lottery.sources import onsite_source
from sunshine.notifications.models import MessageStatus, OutboxMessage
from sunshine.public.selectors import lookup_result
from sunshine.schools.models import RoundKind

SOURCE_FIELDS = {"onsite_label": "notary", "onsite_first": "58213", "onsite_second": "58213"}


def _form(round_pk: int, **fields: str) -> dict[str, str]:
    return {f"r{round_pk}-{name}": value for name, value in {**SOURCE_FIELDS, **fields}.items()}


def _s1_winner(run: AdmissionRun, city) -> int:
    """The category-2 child admitted to the popular school (one seat is left for them)."""
    return run.placements.get(school=city.popular, category=2).application_id


def test_preview_shows_per_school_demand_lottery_and_cutoff(client, city):
    client.force_login(city.users["city"])
    response = client.post(reverse("console:preview", args=[city.round.pk]), _form(city.round.pk))
    run = AdmissionRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{run.pk}/")
    rows = {row.code: row for row in admission_runs.run_schools(run)}
    popular = rows["S1"]
    # 1 child of category 1 and 4 of category 2 apply for 2 seats: category 2 is drawn.
    assert (popular.seats, popular.applicants, popular.admitted) == (2, 5, 2)
    assert popular.by_category == ((1, 1), (2, 4))
    assert popular.lottery_needed and popular.lottery_category == 2
    assert popular.cutoff_category == 2
    number = numbers_of(run.draws.get(school=city.popular))
    winner = run.placements.get(school=city.popular, category=2).application
    assert popular.cutoff_number == number[pseudonym(city.round, winner.reference)] == 1
    assert not rows["S3"].lottery_needed and rows["S3"].admitted == 3
    page = client.get(response["Location"]).content.decode()
    assert "第2类摇号" in page and "确认录取结果" in page


def test_comparing_two_previews_counts_the_children_who_move(city):
    first = city.run()
    # Another announced number draws the category-2 lottery again; find one that changes it.
    for value in range(1, 60):
        second = admissions.preview_admission(
            BUREAU, city.round, sources=[onsite_source("notary", str(value), str(value))]
        )
        if _s1_winner(second, city) != _s1_winner(first, city):
            break
    else:
        pytest.fail("no announced number changed the draw")
    comparison = admission_runs.compare_runs(first, second)
    # The old winner leaves S1 for the nearest school with seats (S2); the new one comes in.
    assert comparison.moved == 2
    changes = {c.code: c for c in comparison.schools}
    assert (changes["S1"].moved_in, changes["S1"].moved_out) == (1, 1)
    assert (changes["S2"].moved_in, changes["S2"].moved_out) == (1, 1)
    assert not changes["S3"].changed
    assert not comparison.same_inputs and not comparison.same_outputs
    same = admission_runs.compare_runs(first, city.run())
    assert same.moved == 0 and same.same_outputs


def test_commit_is_once_publish_is_once_and_send_all_is_safe_twice(client, city):
    client.force_login(city.users["city"])
    run = city.run()
    for _ in range(2):
        response = client.post(reverse("console:commit", args=[run.pk]), follow=True)
        assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED
    assert AuditEvent.objects.filter(action="admission.committed").count() == 1
    assert "无需重复确认" in response.content.decode()
    for _ in range(2):
        client.post(reverse("console:publish", args=[run.pk]))
    assert AuditEvent.objects.filter(action="admission.published").count() == 1
    queued = OutboxMessage.objects.count()
    assert queued == len(city.applications)
    first = client.post(reverse("console:notify"), follow=True).content.decode()
    second = client.post(reverse("console:notify"), follow=True).content.decode()
    assert f"成功 {queued} 条" in first
    assert "没有待发送的短信" in second
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == queued
    assert AuditEvent.objects.filter(action="notifications.sent_all").count() == 2


@pytest.fixture
def crowded(db):
    """One school, two seats, five children and nowhere else to go: three stay unplaced."""
    round_ = testing.round_()
    school = testing.school("S9", round_, seats=2)
    first = testing.verified_application(round_, school, 1)
    others = [testing.verified_application(round_, school, 2) for _ in range(4)]
    run = admissions.preview_admission(BUREAU, round_, sources=SOURCES)
    run = admissions.commit_admission(BUREAU, run)
    return round_, school, first, others, run


def test_released_seats_go_down_the_waitlist_without_moving_anyone(crowded):
    round_, school, first, others, run = crowded
    numbers = numbers_of(run.draws.get(school=school))
    by_number = sorted(others, key=lambda a: numbers[pseudonym(round_, a.reference)])
    admitted_before = set(
        run.placements.filter(school=school).values_list("application", flat=True)
    )
    assert admitted_before == {first.pk, by_number[0].pk}

    refill = admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="一名儿童放弃学位")
    assert [a.application_id for a in refill.admissions.all()] == [by_number[1].pk]
    by_number[1].refresh_from_db()
    assert by_number[1].status == Status.UNPLACED  # a preview changes nobody

    committed = admission_runs.commit_refill(BUREAU, refill)
    again = admission_runs.commit_refill(BUREAU, refill)
    assert committed.status == again.status == "committed"
    by_number[1].refresh_from_db()
    assert by_number[1].status == Status.ADMITTED
    assert OutboxMessage.objects.filter(event_key__startswith="refill:").count() == 1
    # Nobody who held a place moved.
    assert (
        set(run.placements.filter(school=school).values_list("application", flat=True))
        == admitted_before
    )
    found = lookup_result(by_number[1].reference, by_number[1].child.id_number[-4:])
    assert found is not None and found.school == school.name and found.stage == "候补递补"
    # The child admitted from the waitlist is placed into a class with the others.
    placed = classes.place_classes(BUREAU, school, round_.term, sources=SOURCES)
    members = set(
        ClassMembership.objects.filter(school_class__run=placed).values_list(
            "application", flat=True
        )
    )
    assert members == admitted_before | {by_number[1].pk}
    # The next release goes to the next number on the list.
    second = admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="又一人放弃")
    assert [a.application_id for a in second.admissions.all()] == [by_number[2].pk]


def test_a_refill_cannot_release_more_seats_than_were_filled(crowded):
    run = crowded[4]
    with pytest.raises(ValidationError, match="最多可空出 2 个学位"):
        admission_runs.preview_refill(BUREAU, run, {"S9": 3}, reason="录入错误")
    with pytest.raises(ValidationError):
        admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="  ")
    assert not RefillAdmission.objects.exists()


def test_a_stale_refill_preview_is_refused(crowded):
    run = crowded[4]
    stale = admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="放弃")
    fresh = admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="放弃")
    admission_runs.commit_refill(BUREAU, fresh)
    with pytest.raises(ValidationError, match="请重新预览"):
        admission_runs.commit_refill(BUREAU, stale)


def _timetable(start: dt.datetime) -> list[dt.datetime]:
    return [start + dt.timedelta(days=d) for d in (0, 2, 3, 4, 5)]


def test_the_supplementary_round_offers_the_seats_left_to_late_applicants(crowded):
    round_, _, _, _, run = crowded
    # Two seats are filled and one is released again by a no-show; the plan grows by two.
    admission_runs.commit_refill(
        BUREAU, admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="放弃")
    )
    late_school = testing.school("S8", round_, seats=3, at=(29.04, 111.70))
    assert admission_runs.seat_counts(run)["S8"].left == 3
    supplementary = admission_runs.open_supplementary_round(
        BUREAU, round_, _timetable(round_.results_on + dt.timedelta(days=1))
    )
    assert supplementary.kind == RoundKind.SUPPLEMENTARY
    seats = dict(supplementary.seat_plans.values_list("school__code", "seats"))
    # S9: 2 planned, 2 admitted + 1 from the waitlist, 1 released -> 0 left, so not offered.
    assert seats == {"S8": 3}
    told = OutboxMessage.objects.filter(template_id="SUPPLEMENTARY_OPEN").count()
    assert told == 2  # the two children still without a place
    late = [testing.verified_application(supplementary, late_school, 1) for _ in range(4)]
    result = admissions.preview_admission(BUREAU, supplementary, sources=SOURCES)
    placed = result.placements.filter(school=late_school).count()
    assert placed == 3 and result.placements.count() == len(late)
    with pytest.raises(ValidationError):
        admission_runs.open_supplementary_round(
            BUREAU, round_, _timetable(round_.results_on + dt.timedelta(days=1))
        )


def test_no_supplementary_round_before_the_main_round_is_decided(city):
    with pytest.raises(ValidationError, match="确认后才能开设补报名"):
        admission_runs.open_supplementary_round(
            BUREAU, city.round, _timetable(city.round.results_on + dt.timedelta(days=1))
        )


def test_the_coordinated_review_lists_only_children_of_the_districts_schools(client, city):
    run = admissions.commit_admission(BUREAU, city.run())
    client.force_login(city.users["district"])
    page = client.get(reverse("console:coordinated", args=[run.pk])).content.decode()
    coordinated = run.placements.filter(stage="coordinated").select_related("application__child")
    assert coordinated.count() == 3
    for placement in coordinated:
        assert placement.application.reference in page
        assert placement.application.child.name not in page  # masked
