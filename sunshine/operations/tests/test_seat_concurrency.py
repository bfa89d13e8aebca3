"""Seats under concurrent clicks: never offered twice, never confirmed twice, one class list.

Each thread works through its own database connection, as two web processes would.
On PostgreSQL the threads really overlap and the row locks decide; on SQLite the
writers queue behind each other and the same outcomes must hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sunshine import testing
from sunshine.admissions import runs as admission_runs
from sunshine.admissions import services as admissions
from sunshine.applications.models import Application, Status
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.classes import services as classes
from sunshine.classes.models import PlacementRun
from sunshine.engine.lottery.sources import onsite_source
from sunshine.portal import services as portal
from sunshine.schools.models import Round, RoundKind, School, SeatPlan

pytestmark = pytest.mark.django_db(transaction=True)
BUREAU = Actor("city-bureau", "city")
SOURCES = [onsite_source("notary", "58213", "58213")]
CLICKS = 4


def at_once(work: Callable[[], Any], count: int = CLICKS) -> list[Any]:
    """Run ``work`` in ``count`` threads released together; their results or exceptions."""
    start = threading.Barrier(count)
    outcomes: list[Any] = [None] * count
    # SQLite's shared in-memory test database cannot wait for a lock, only fail: queue there.
    turn = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def one(index: int) -> None:
        try:
            start.wait()
            with turn:
                outcomes[index] = work()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture
def decided_round():  # type: ignore[no-untyped-def]
    """S9 has two seats and five children (three unplaced); S8 was added with three seats."""
    round_ = testing.round_()
    crowded = testing.school("S9", round_, seats=2)
    for category in (1, 2, 2, 2, 2):
        testing.verified_application(round_, crowded, category)
    run = admissions.commit_admission(
        BUREAU, admissions.preview_admission(BUREAU, round_, sources=SOURCES)
    )
    testing.school("S8", round_, seats=3, at=(29.04, 111.70))
    return round_, run


def _timetable(round_: Round) -> list[dt.datetime]:
    start = round_.results_on + dt.timedelta(days=1)
    return [start + dt.timedelta(days=d) for d in (0, 2, 3, 4, 5)]


def test_officers_opening_the_supplementary_round_together_offer_each_seat_once(decided_round):
    round_, _ = decided_round
    outcomes = at_once(
        lambda: admission_runs.open_supplementary_round(BUREAU, round_, _timetable(round_))
    )
    opened = [o for o in outcomes if isinstance(o, Round)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(opened) == 1, outcomes
    # The others are told plainly, not met with a database error.
    assert len(refused) == CLICKS - 1, outcomes
    supplementary = Round.objects.get(term=round_.term, kind=RoundKind.SUPPLEMENTARY)
    offered = dict(
        SeatPlan.objects.filter(round=supplementary).values_list("school__code", "seats")
    )
    assert offered == {"S8": 3}
    assert AuditEvent.objects.filter(action="admission.supplementary_opened").count() == 1


def test_a_refill_and_the_supplementary_round_never_hand_out_the_same_seat(decided_round):
    round_, run = decided_round
    # A no-show gives one S9 seat back; the refill hands it to the first child waiting.
    refill = admission_runs.preview_refill(BUREAU, run, {"S9": 1}, reason="一名儿童放弃学位")
    jobs = [
        lambda: admission_runs.commit_refill(BUREAU, refill),
        lambda: admission_runs.open_supplementary_round(BUREAU, round_, _timetable(round_)),
    ]
    index = iter(range(2))
    outcomes = at_once(lambda: jobs[next(index)](), count=2)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    supplementary = Round.objects.get(term=round_.term, kind=RoundKind.SUPPLEMENTARY)
    offered_s9 = SeatPlan.objects.filter(round=supplementary, school__code="S9").count()
    admitted_s9 = Application.objects.filter(round=round_, status=Status.ADMITTED).count()
    # S9: 2 seats; one child left and one came off the waitlist, so none is left to offer.
    assert admitted_s9 == 3  # the two first admitted (one a no-show still listed) + the refill
    assert offered_s9 == 0


def test_confirming_enrollment_from_several_devices_enrolls_once(decided_round):
    round_, _ = decided_round
    admitted = Application.objects.filter(round=round_, status=Status.ADMITTED).first()
    assert admitted is not None
    outcomes = at_once(lambda: portal.confirm_enrollment(BUREAU, admitted))
    assert all(isinstance(o, Application) for o in outcomes), outcomes
    admitted.refresh_from_db()
    assert admitted.status == Status.ENROLLED
    confirmed = AuditEvent.objects.filter(action="application.enrollment_confirmed")
    assert confirmed.count() == 1


def test_two_previews_frozen_at_once_leave_one_class_list_and_a_plain_refusal(decided_round):
    round_, _ = decided_round
    crowded = School.objects.get(code="S9")
    previews = [
        classes.place_classes(BUREAU, crowded, round_.term, sources=SOURCES) for _ in range(2)
    ]
    index = iter(range(2))
    outcomes = at_once(lambda: classes.freeze_classes(BUREAU, previews[next(index)]), count=2)
    frozen = [o for o in outcomes if isinstance(o, PlacementRun)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(frozen) == 1 and len(refused) == 1, outcomes
    assert PlacementRun.objects.filter(school=crowded, frozen=True).count() == 1
    assert AuditEvent.objects.filter(action="classes.frozen").count() == 1
