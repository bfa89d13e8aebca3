"""Class placement from the console: who sees names, and buttons that are safe to press twice."""

from __future__ import annotations

from django.urls import reverse

from sunshine.audit.models import AuditEvent
from sunshine.classes import services as classes
from sunshine.classes.models import PlacementRun, SchoolClass
from sunshine.console.tests.conftest import BUREAU, SOURCES

ONSITE = {"onsite_label": "notary", "onsite_first": "123", "onsite_second": "123"}


def _decided(city):
    from sunshine.admissions import services as admissions

    admissions.commit_admission(BUREAU, city.run())


def test_school_staff_place_freeze_and_draw_once(client, city):
    _decided(city)
    client.force_login(city.users["school"])
    code = city.popular.code
    placed = client.post(
        reverse("console:class_place", args=[code]), {f"place-{k}": v for k, v in ONSITE.items()}
    )
    run = PlacementRun.objects.get()
    assert placed["Location"].endswith(f"/classes/runs/{run.pk}/")
    for _ in range(2):
        client.post(reverse("console:class_freeze", args=[run.pk]))
    assert AuditEvent.objects.filter(action="classes.frozen").count() == 1
    client.post(reverse("console:class_teachers", args=[code]), {"names": "周老师"})
    for _ in range(2):
        client.post(
            reverse("console:class_draw", args=[run.pk]),
            {f"draw-{k}": v for k, v in ONSITE.items()},
        )
    assert AuditEvent.objects.filter(action="classes.teachers_drawn").count() == 1
    assert SchoolClass.objects.get().head_teacher.name == "周老师"


def test_the_two_typists_must_agree_on_the_onsite_number(client, city):
    _decided(city)
    client.force_login(city.users["school"])
    response = client.post(
        reverse("console:class_place", args=[city.popular.code]),
        {"place-onsite_first": "123", "place-onsite_second": "124"},
    )
    assert response.status_code == 400 and "两次录入不一致" in response.content.decode()
    assert not PlacementRun.objects.exists()


def test_school_staff_see_their_pupils_names_and_the_district_sees_them_masked(client, city):
    _decided(city)
    run = classes.place_classes(BUREAU, city.popular, city.round.term, sources=SOURCES)
    pupil = SchoolClass.objects.get(run=run).members.first().application.child
    client.force_login(city.users["school"])
    assert pupil.name in client.get(reverse("console:class_run", args=[run.pk])).content.decode()
    client.force_login(city.users["district"])
    page = client.get(reverse("console:class_run", args=[run.pk])).content.decode()
    assert pupil.name not in page and pupil.name[0] + "*" in page
