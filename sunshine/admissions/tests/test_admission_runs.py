import datetime as dt
import json
import shutil

import pytest
from django.core.exceptions import ValidationError

from sunshine import testing
from sunshine.admissions import services
from sunshine.admissions.lottery import numbers_of
from sunshine.admissions.models import ImmutableRecord, LotteryDraw, RunStatus, Stage
from sunshine.admissions.selectors import pseudonym
from sunshine.applications.models import Status
from sunshine.audit.selectors import verify_chain
from sunshine.audit.services import Actor
from sunshine.commands import engine as engine_command
from sunshine.engine.lottery.record import verify_record
from sunshine.engine.lottery.sources import lottery_source, onsite_source
from sunshine.notifications.models import OutboxMessage

BUREAU = Actor("bureau", "city")
SOURCES = [lottery_source("fc-3d", "2024186", "3 8 1"), onsite_source("notary", "58213", "58213")]
NEAR, FAR = (29.03, 111.69), (29.30, 111.90)


@pytest.fixture
def city(db):
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=3, at=NEAR)
    near = testing.school("S3", round_, seats=10, at=(29.031, 111.691))
    far = testing.school("S2", round_, seats=10, at=FAR)
    first = testing.verified_application(round_, popular, 1)
    seconds = [testing.verified_application(round_, popular, 2) for _ in range(4)]
    return round_, popular, near, far, first, seconds


def _placement(run, application):
    return run.placements.get(application=application)


def test_only_the_overflowing_category_is_drawn(city):
    round_, popular, _, _, first, seconds = city
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    draws = list(run.draws.filter(school=popular))
    assert len(draws) == 1
    draw = draws[0]
    entries = {pseudonym(round_, a.reference) for a in seconds}
    assert set(draw.record["entries"]) == entries
    assert _placement(run, first).school == popular
    assert _placement(run, first).lottery_number is None


def test_the_first_drawn_of_the_overflowing_category_take_the_seats(city):
    round_, popular, near, _, _, seconds = city
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    numbers = numbers_of(run.draws.get(school=popular))
    by_number = sorted(seconds, key=lambda a: numbers[pseudonym(round_, a.reference)])
    assert [_placement(run, a).school for a in by_number[:2]] == [popular, popular]
    assert [_placement(run, a).stage for a in by_number[2:]] == [Stage.COORDINATED] * 2
    assert {_placement(run, a).school for a in by_number[2:]} == {near}
    assert _placement(run, by_number[0]).lottery_number == 1


def test_the_same_sources_give_the_same_admission(city):
    round_ = city[0]
    first = services.preview_admission(BUREAU, round_, sources=SOURCES)
    second = services.preview_admission(BUREAU, round_, sources=SOURCES)
    assert first.outputs_sha256 == second.outputs_sha256
    other = services.preview_admission(
        BUREAU, round_, sources=[SOURCES[0], onsite_source("notary", "1", "1")]
    )
    # Another announced value is another seed for every school's draw over the same list
    # (who is left for coordinated placement may differ, so that list may differ too).
    seeds = {d.entry_list_hash: d.record["seed"] for d in first.draws.filter(school__isnull=False)}
    others = {d.entry_list_hash: d.record["seed"] for d in other.draws.filter(school__isnull=False)}
    assert seeds.keys() == others.keys()
    assert all(seeds[entries] != others[entries] for entries in seeds)


def test_commit_admits_notifies_and_is_final(city):
    round_ = city[0]
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    services.commit_admission(BUREAU, run)
    assert round_.applications.filter(status=Status.ADMITTED).count() == 5
    assert OutboxMessage.objects.filter(template_id="ADMITTED").count() == 5
    with pytest.raises(ValidationError):
        services.commit_admission(BUREAU, run)
    with pytest.raises(ValidationError, match="已有确认的录取结果"):
        services.preview_admission(BUREAU, round_, sources=SOURCES)
    assert verify_chain().ok


def test_a_lottery_record_never_changes(city):
    round_ = city[0]
    services.preview_admission(BUREAU, round_, sources=SOURCES)
    draw = LotteryDraw.objects.first()
    draw.title = "changed"
    with pytest.raises(ImmutableRecord):
        draw.save()


def test_nothing_to_draw_without_sources(city):
    with pytest.raises(ValidationError):
        services.preview_admission(BUREAU, city[0], sources=[])


def _observer_recomputes(folder) -> int:
    """What an observer runs on the published files: exit 0 when they match."""
    return engine_command.main(
        [
            "verify",
            *("--schools", str(folder / "schools.csv")),
            *("--students", str(folder / "students.csv")),
            *("--applications", str(folder / "applications.csv")),
            *("--assignments", str(folder / "assignments.csv")),
        ]
    )


def test_published_files_recompute_to_the_same_assignment(db):
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=3, at=NEAR)
    testing.school("S2", round_, seats=10, at=FAR)
    private = testing.school("P1", round_, seats=1, kind="private")
    testing.verified_application(round_, popular, 1)
    for _ in range(2):
        testing.verified_application(round_, popular, 2, twin_group="F1")
    for _ in range(3):
        testing.verified_application(round_, popular, 2, private=[private])
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    run = services.commit_admission(BUREAU, run)
    run = services.publish_admission(BUREAU, run)
    assert run.status == RunStatus.PUBLISHED
    folder = services.publication_folder(run)
    for stage in ("private", "zone"):
        assert _observer_recomputes(folder / stage) == 0
    assignments = (folder / "zone" / "assignments.csv").read_text()
    tampered = folder / "tampered"
    shutil.copytree(folder / "zone", tampered)
    rows = assignments.splitlines()
    swapped = [rows[0], *[_swap_school(row) for row in rows[1:]]]
    (tampered / "assignments.csv").write_text("\n".join(swapped) + "\n")
    assert _observer_recomputes(tampered) != 0
    for draw in run.draws.all():
        on_disk = json.loads((folder / "draws" / f"{draw.reference}.json").read_text())
        assert on_disk == draw.record
        assert verify_record(on_disk).ok


def _swap_school(row: str) -> str:
    student, school = row.split(",")
    return f"{student},{'' if school else 'S1'}"


@pytest.mark.parametrize("notary", ["1", "2", "3", "4", "5", "6"])
def test_twins_are_never_split(db, notary):
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=2)
    testing.school("S2", round_, seats=10, at=FAR)
    testing.verified_application(round_, popular, 1)
    twins = [testing.verified_application(round_, popular, 2, twin_group="F1") for _ in range(2)]
    singles = [testing.verified_application(round_, popular, 2) for _ in range(2)]
    run = services.preview_admission(
        BUREAU, round_, sources=[onsite_source("notary", notary, notary)]
    )
    draw = run.draws.get(school=popular)
    assert draw.entry_count == 3  # the twins hold one entry
    twin_schools = {_placement(run, t).school for t in twins}
    assert len(twin_schools) == 1
    admitted_here = sum(_placement(run, a).school == popular for a in [*twins, *singles])
    assert admitted_here == (2 if popular in twin_schools else 1)


def test_private_schools_decide_first_and_the_rest_go_public(db):
    round_ = testing.round_()
    private = testing.school("P1", round_, seats=1, kind="private")
    public = testing.school("S1", round_, seats=10)
    applicants = [
        testing.verified_application(round_, public, 1, private=[private]) for _ in range(3)
    ]
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    stages = sorted(_placement(run, a).stage for a in applicants)
    assert stages == [Stage.PRIVATE, Stage.ZONE, Stage.ZONE]
    assert run.summary["schools"]["P1"]["draw"] is not None


def test_children_without_a_zone_are_placed_nearest(db):
    round_ = testing.round_()
    testing.school("S1", round_, seats=5, at=NEAR)
    testing.school("S2", round_, seats=5, at=FAR)
    lost = testing.verified_application(round_, None, 5, home=(29.29, 111.89))
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    assert _placement(run, lost).school.code == "S2"
    assert _placement(run, lost).stage == Stage.COORDINATED
    assert run.summary["coordinated"] == 1


def test_pending_applications_are_counted_not_admitted(db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    testing.verified_application(round_, school, 1)
    waiting = testing.verified_application(round_, school, 1)
    waiting.status = Status.REVIEW
    waiting.save()
    run = services.preview_admission(
        BUREAU, round_, sources=SOURCES, now=dt.datetime(2024, 7, 11, tzinfo=dt.UTC)
    )
    assert run.summary["pending"] == 1 and run.summary["applicants"] == 1


def test_a_commit_is_refused_when_seats_changed_after_the_preview(city):
    round_, popular, *_ = city
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    popular.seat_plans.filter(round=round_).update(seats=1)
    with pytest.raises(ValidationError, match="重新预览"):
        services.commit_admission(BUREAU, run)


def test_two_schools_with_the_same_applicants_each_get_their_own_draw(db):
    round_ = testing.round_()
    first = testing.school("P1", round_, seats=1, kind="private")
    second = testing.school("P2", round_, seats=1, kind="private")
    testing.school("S1", round_, seats=10)
    for _ in range(3):
        testing.verified_application(round_, None, 1, private=[first, second])
    run = services.preview_admission(BUREAU, round_, sources=SOURCES)
    assert run.summary["schools"]["P1"]["draw"] != run.summary["schools"]["P2"]["draw"]
    assert {d.school.code for d in run.draws.filter(school__isnull=False)} == {"P1", "P2"}
