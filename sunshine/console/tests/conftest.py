"""A small city for console tests: two districts, three schools, one decided round."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.admissions import services as admissions
from sunshine.admissions.models import AdmissionRun
from sunshine.applications.models import Application
from sunshine.audit.services import Actor
from sunshine.engine.lottery.sources import lottery_source, onsite_source
from sunshine.schools.models import District, Round, School

BUREAU = Actor("city-bureau", Role.CITY)
SOURCES = [lottery_source("fc-3d", "2024186", "3 8 1"), onsite_source("notary", "58213", "58213")]


@dataclass
class City:
    round: Round
    popular: School  # district A, oversubscribed
    roomy: School  # district A, seats to spare
    elsewhere: School  # district B
    applications: list[Application]
    users: dict[str, User]

    def run(self) -> AdmissionRun:
        return admissions.preview_admission(BUREAU, self.round, sources=SOURCES)


def make_users(home: District, other_school: School, school: School) -> dict[str, User]:
    users = {
        "city": User.objects.create_user("city", role=Role.CITY),
        "district": User.objects.create_user("district", role=Role.DISTRICT, district=home),
        "school": User.objects.create_user("school", role=Role.SCHOOL, school=school),
        "other_school": User.objects.create_user(
            "other_school", role=Role.SCHOOL, school=other_school
        ),
        "observer": User.objects.create_user("observer", role=Role.OBSERVER),
        "parent": User.objects.create_user("parent", role=Role.PARENT),
    }
    return users


@pytest.fixture
def city(db) -> City:
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=2, at=(29.03, 111.69))
    roomy = testing.school("S2", round_, seats=10, at=(29.031, 111.691))
    elsewhere = testing.school("S3", round_, seats=10, at=(29.30, 111.90))
    other_district = testing.district("430703", "鼎城区")
    School.objects.filter(pk=elsewhere.pk).update(district=other_district)
    elsewhere.refresh_from_db()
    applications = [testing.verified_application(round_, popular, 1, male=True)]
    applications += [
        testing.verified_application(round_, popular, 2, male=i % 2 == 0) for i in range(4)
    ]
    applications += [
        testing.verified_application(round_, elsewhere, 1, home=(29.30, 111.90), male=i % 2 == 1)
        for i in range(3)
    ]
    users = make_users(popular.district, elsewhere, popular)
    return City(round_, popular, roomy, elsewhere, applications, users)
