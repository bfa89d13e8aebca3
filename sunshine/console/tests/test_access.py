"""Every console URL as every role: allowed, 403, or sent to log in; and out-of-scope 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sunshine.admissions import runs as admission_runs
from sunshine.admissions import services as admissions
from sunshine.classes import services as classes
from sunshine.console.tests.conftest import BUREAU, SOURCES

ANONYMOUS, PARENT, OBSERVER, SCHOOL, DISTRICT, CITY = (
    "anonymous",
    "parent",
    "observer",
    "school",
    "district",
    "city",
)
READERS = {OBSERVER, SCHOOL, DISTRICT, CITY}
STAFF = {SCHOOL, DISTRICT, CITY}
BUREAUS = {DISTRICT, CITY}


@pytest.fixture
def world(city):
    first = city.run()
    second = city.run()
    second = admissions.publish_admission(BUREAU, admissions.commit_admission(BUREAU, second))
    refill = admission_runs.preview_refill(BUREAU, second, {"S1": 1}, reason="一人放弃入学")
    class_run = classes.place_classes(BUREAU, city.popular, city.round.term, sources=SOURCES)
    return city, first, second, refill, class_run


def _urls(world):
    city, first, second, refill, class_run = world
    code = city.popular.code
    gets = [
        ("console:home", [], READERS),
        ("console:setup", [], {CITY}),
        ("console:round_timetable", [city.round.pk], {CITY}),
        ("console:schools", [], BUREAUS),
        ("console:school", [code], BUREAUS),
        ("console:zones", [], BUREAUS),
        ("console:zones_template", [], BUREAUS),
        ("console:admission", [], {OBSERVER, DISTRICT, CITY}),
        ("console:run", [second.pk], {OBSERVER, DISTRICT, CITY}),
        ("console:coordinated", [second.pk], BUREAUS),
        ("console:refill", [second.pk], {CITY}),
        ("console:refill_detail", [refill.pk], BUREAUS),
        ("console:supplementary", [city.round.pk], {CITY}),
        ("console:statistics", [], READERS),
        ("console:statistics_export", ["district", "csv"], READERS),
        ("console:statistics_export", ["school", "xlsx"], READERS),
        ("console:exports", [], STAFF),
        ("console:classes", [], STAFF),
        ("console:class_school", [code], STAFF),
        ("console:class_run", [class_run.pk], STAFF),
    ]
    compare = reverse("console:compare") + f"?first={first.pk}&second={second.pk}"
    posts = [
        ("console:preview", [city.round.pk], {CITY}),
        ("console:commit", [first.pk], {CITY}),
        ("console:publish", [second.pk], {CITY}),
        ("console:seat_plan", [code, city.round.pk], BUREAUS),
        ("console:refill_commit", [refill.pk], {CITY}),
        ("console:notify", [], {CITY}),
        ("console:class_place", [code], STAFF),
        ("console:class_teachers", [code], STAFF),
        ("console:class_freeze", [class_run.pk], STAFF),
        ("console:class_draw", [class_run.pk], STAFF),
    ]
    return (
        [(reverse(name, args=args), allowed) for name, args, allowed in gets]
        + [(compare, BUREAUS)],
        [(reverse(name, args=args), allowed) for name, args, allowed in posts],
    )


def _expect(response, role, allowed, url):
    login = reverse("accounts:login")
    if role in allowed:
        assert response.status_code in {200, 302, 400}, url
        if response.status_code == 302:
            assert login not in response["Location"], url
    elif role == ANONYMOUS:
        assert response.status_code == 302 and login in response["Location"], url
    else:
        assert response.status_code == 403, url


@pytest.mark.parametrize("role", [ANONYMOUS, PARENT, OBSERVER, SCHOOL, DISTRICT, CITY])
def test_every_console_url_answers_each_role_as_its_scope_allows(client, world, role):
    city = world[0]
    if role != ANONYMOUS:
        client.force_login(city.users[role])
    gets, posts = _urls(world)
    for url, allowed in gets:
        _expect(client.get(url), role, allowed, url)
    for url, allowed in posts:
        _expect(client.post(url, {}), role, allowed, url)
    assert len(gets) + len(posts) >= 30


def test_objects_outside_a_users_scope_are_not_found(client, world):
    city, first, second, _, class_run = world
    client.force_login(city.users["other_school"])
    assert client.get(reverse("console:class_school", args=["S1"])).status_code == 404
    assert client.get(reverse("console:class_run", args=[class_run.pk])).status_code == 404
    assert client.post(reverse("console:class_freeze", args=[class_run.pk])).status_code == 404
    client.force_login(city.users["district"])
    assert client.get(reverse("console:school", args=["S3"])).status_code == 404
    assert client.get(reverse("console:class_school", args=["S3"])).status_code == 404
    client.force_login(city.users["observer"])
    # An observer reads published runs only, never a preview.
    assert client.get(reverse("console:run", args=[first.pk])).status_code == 404
    assert client.get(reverse("console:run", args=[second.pk])).status_code == 200
