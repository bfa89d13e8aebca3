"""Transparency pages: timetable, reserved quotas, how to verify a draw, rates by district."""

from __future__ import annotations

from django.urls import reverse

from sunshine import testing
from sunshine.admissions import services as admissions
from sunshine.audit.services import Actor
from sunshine.engine.lottery.sources import onsite_source
from sunshine.schools.models import SeatPlan

BUREAU = Actor("bureau", "city")


def test_the_public_reads_timetable_quotas_verification_guide_and_rates(client, db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=2)
    SeatPlan.objects.filter(school=school).update(reserved={"随迁子女": 1})
    applications = [testing.verified_application(round_, school, 2) for _ in range(3)]
    run = admissions.preview_admission(
        BUREAU, round_, sources=[onsite_source("notary", "4711", "4711")]
    )
    admissions.publish_admission(BUREAU, admissions.commit_admission(BUREAU, run))

    timetable = client.get(reverse("public:timetable")).content.decode()
    assert str(round_) in timetable and "公开摇号" in timetable
    schools = client.get(reverse("public:schools")).content.decode()
    assert "随迁子女 1" in schools
    guide = client.get(reverse("public:verify")).content.decode()
    assert "sunshine lottery verify" in guide and "sunshine-lottery-seed/1" in guide
    draw = run.draws.get(school=school)
    detail = client.get(reverse("public:lottery", args=[draw.reference])).content.decode()
    assert "4711" in detail and "如何验证这次摇号" in detail
    statistics = client.get(reverse("public:statistics")).content.decode()
    assert "各区县" in statistics and "<svg" in statistics
    assert all(a.child.name not in statistics for a in applications)
