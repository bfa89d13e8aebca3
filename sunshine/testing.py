"""Builders for tests: the smallest valid rows, made without the services' checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.utils import timezone

from sunshine.applications.models import Application, Child, Choice, Guardian, Guardianship, Status
from sunshine.applications.services import id_index, phone_index
from sunshine.engine.idnumber import compose
from sunshine.engine.policy.loader import default_policy_text
from sunshine.schools.models import District, Level, Round, RoundKind, School, SeatPlan, Term
from sunshine.verification.models import CategoryAssignment

_serial = itertools.count(1)
CHINA = dt.timezone(dt.timedelta(hours=8))


def district(code: str = "430702", name: str = "武陵区") -> District:
    return District.objects.get_or_create(code=code, defaults={"name": name})[0]


def term(year: int = 2024) -> Term:
    return Term.objects.get_or_create(
        year=year,
        defaults={
            "name": f"{year}年秋季",
            "reference_date": dt.date(year, 6, 30),
            "policy_toml": default_policy_text(),
        },
    )[0]


def round_(level: str = Level.PRIMARY, year: int = 2024, *, open_now: bool = False) -> Round:
    start = (
        timezone.now() - dt.timedelta(days=1) if open_now else dt.datetime(year, 7, 1, tzinfo=CHINA)
    )
    return Round.objects.create(
        term=term(year),
        kind=RoundKind.MAIN,
        level=level,
        registration_opens=start,
        registration_closes=start + dt.timedelta(days=4),
        verification_ends=start + dt.timedelta(days=8),
        lottery_on=start + dt.timedelta(days=10),
        results_on=start + dt.timedelta(days=10, hours=8),
    )


def school(
    code: str,
    round_: Round,
    seats: int,
    *,
    kind: str = "public",
    at: tuple[float, float] = (29.03, 111.69),
    class_size: int = 45,
) -> School:
    made = School.objects.create(
        code=code,
        name=f"测试学校{code}",
        district=district(),
        kind=kind,
        level=round_.level,
        address="常德市武陵区",
        latitude=at[0],
        longitude=at[1],
        class_size=class_size,
    )
    SeatPlan.objects.create(school=made, round=round_, seats=seats)
    return made


def child(*, twin_group: str = "", born: dt.date = dt.date(2018, 3, 1), male: bool = True) -> Child:
    serial = next(_serial)
    sequence = (serial * 2 + (1 if male else 0)) % 1000
    id_number = compose("430702", born, sequence)
    made = Child.objects.create(
        name=f"孩子{serial}",
        id_number=id_number,
        id_index=id_index(id_number),
        sex="M" if male else "F",
        birth_date=born,
        twin_group=twin_group,
    )
    guardian_id = compose("430702", dt.date(1988, 1, 1), serial % 1000)
    phone = f"138{serial:08d}"
    guardian, _ = Guardian.objects.get_or_create(
        id_index=id_index(guardian_id),
        defaults={
            "name": f"家长{serial}",
            "id_number": guardian_id,
            "phone": phone,
            "phone_index": phone_index(phone),
        },
    )
    Guardianship.objects.create(child=made, guardian=guardian, relation="父亲")
    return made


def verified_application(
    round_: Round,
    zone_school: School | None,
    category: int,
    *,
    twin_group: str = "",
    private: Sequence[School] = (),
    home: tuple[float, float] | None = (29.03, 111.69),
    male: bool = True,
) -> Application:
    kid = child(twin_group=twin_group, male=male)
    application = Application.objects.create(
        reference=f"T{next(_serial):09d}",
        round=round_,
        child=kid,
        status=Status.VERIFIED,
        declaration_json=json.dumps({"child_id_number": kid.id_number}),
        zone_school=zone_school,
        home_latitude=home[0] if home else None,
        home_longitude=home[1] if home else None,
        submitted_at=round_.registration_opens,
    )
    for rank, choice in enumerate(private, start=1):
        Choice.objects.create(application=application, rank=rank, school=choice)
    CategoryAssignment.objects.create(
        application=application,
        category=category,
        name=f"第{category}类",
        policy_sha256="0" * 64,
        assigned_at=timezone.now(),
    )
    return application


@contextlib.contextmanager
def database_for_subprocess(folder: Path) -> Iterator[str]:
    """A ``DATABASE_URL`` through which another process sees this test's database.

    For tests that start real processes (a web server, a worker) and kill them. On
    PostgreSQL it is the test database itself (the test must commit: ``transaction=True``).
    SQLite's test database lives in this process's memory, so it is copied to a file
    for the other processes and copied back when they are done.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        db = connection.settings_dict
        user = f"{db['USER']}@" if db["USER"] else ""
        yield f"postgresql://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    connection.ensure_connection()
    path = folder / "shared.sqlite3"
    shared = sqlite3.connect(path)
    connection.connection.backup(shared)
    shared.close()
    try:
        yield f"sqlite:///{path}"
    finally:
        shared = sqlite3.connect(path)
        shared.backup(connection.connection)
        shared.close()
