"""``sunshine bench verification``: a city's applications against millions of department records.

Creates a PostgreSQL database of its own, loads generated department records
(hukou and real-estate registrations, encrypted and blind-indexed as the
platform stores them) and submitted applications straight through COPY,
then times verification in batch mode — the same ``verify_round`` the demo
and the task workers run, in ``--workers`` processes sharing the round, with
DEBUG off as the workers run — and drops the database. The data are made
directly rather than through the synthetic city, which would take minutes at
this size; the geography, schools and catchment zones are the synthetic city's.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import random
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sunshine.bench.measure import emit, median, peak_rss_mb, production_settings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红"
BLOCK = 10_000  # applications (or filler records) generated per task, each from its own seed


@dataclass(frozen=True)
class Plan:
    applications: int
    hukou: int
    properties: int
    seed: int


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sunshine bench verification")
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--hukou", type=int, default=2_000_000, help="hukou records in the extract")
    parser.add_argument("--properties", type=int, default=1_000_000, help="real-estate records")
    parser.add_argument("--workers", type=int, default=2, help="verification processes")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server; a database is created on it and dropped afterwards",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE", ""),
        help="name of the database to create (and drop); it must not exist yet",
    )
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    plan = Plan(args.applications, args.hukou, args.properties, args.seed)
    if plan.hukou < 3 * plan.applications or plan.properties < plan.applications:
        print("need at least 3 hukou and 1 property record per application")
        return 2
    import psycopg

    name = args.database or f"sunshine_bench_verification_{os.getpid()}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="sunshine-bench-") as folder:
            os.environ["DATABASE_URL"] = f"{args.server}/{name}"
            os.environ["SUNSHINE_VAR_DIR"] = folder
            os.environ["SUNSHINE_SMS_BACKEND"] = "file"
            os.environ["SUNSHINE_DEPARTMENTS_URL"] = ""
            os.environ.update(production_settings())
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
            figures = _run(plan, args.workers, args.repeats)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    emit(figures)
    return 0


def _run(plan: Plan, workers: int, repeats: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    round_id = _load(plan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - start
    print(
        f"loaded {plan.applications} applications, {plan.hukou} hukou and "
        f"{plan.properties} real-estate records in {load_seconds:.1f} s (not timed)",
        flush=True,
    )
    seconds: list[float] = []
    statuses: Counter[str] = Counter()
    for repeat in range(repeats):
        if repeat:
            _reset(round_id)
        took, statuses = _verify(round_id, workers)
        seconds.append(took)
        print(f"verified in {took:.1f} s (the timed part): {dict(statuses)}", flush=True)
    from sunshine.audit.models import AuditEvent

    return {
        "applications": plan.applications,
        "hukou_records": plan.hukou,
        "real_estate_records": plan.properties,
        "workers": workers,
        "repeats": repeats,
        "load_seconds": round(load_seconds, 1),
        "statuses": dict(statuses),
        "audit_events": AuditEvent.objects.count(),
        "applications_per_second": round(plan.applications / median(seconds)),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "verify_seconds_median": round(median(seconds), 2),
    }


# --- timed part ------------------------------------------------------------------------------


def _verify(round_id: int, workers: int) -> tuple[float, Counter[str]]:
    from django.db import connections

    from sunshine.applications.models import Application

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(workers) as pool:
        cpu = pool.starmap(_verify_shard, [(round_id, index, workers) for index in range(workers)])
    took = time.perf_counter() - start
    print(f"workers used {sum(cpu):.1f} s of CPU in {took:.1f} s", flush=True)
    rows = Application.objects.filter(round_id=round_id).values_list("status", flat=True)
    return took, Counter(rows.iterator(chunk_size=10_000))


def _verify_shard(round_id: int, index: int, workers: int) -> float:
    """Verify one shard of the round; returns the CPU seconds this worker used."""
    from django.db import connections

    from sunshine.audit.services import Actor
    from sunshine.schools.models import Round
    from sunshine.verification.connectors import ExtractRecords
    from sunshine.verification.services import verify_round

    round_ = Round.objects.select_related("term").get(pk=round_id)
    profiler = _profiler()
    verify_round(
        Actor.system(f"verification-{index}"),
        round_,
        now=round_.registration_closes + dt.timedelta(hours=1),
        records=ExtractRecords(),
        chunk=1000,
        shard=(index, workers),
    )
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{os.environ['BENCH_PROFILE']}-{index}.prof")
    connections.close_all()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _profiler() -> Any:
    """A running profiler when ``BENCH_PROFILE`` names where to write its statistics."""
    if not os.environ.get("BENCH_PROFILE"):
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _reset(round_id: int) -> None:
    """The round as loaded: applications submitted, nothing derived from them.

    The applications table is rewritten afterwards, so that a repeat does not
    find the previous run's row versions in it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "verification_verificationcheck",
            "verification_applicationfacts",
            "verification_categoryassignment",
            "verification_reviewcase",
            "notifications_outboxmessage",
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute(
            "UPDATE applications_application SET status = 'submitted' WHERE round_id = %s",
            [round_id],
        )
        cursor.execute("VACUUM (FULL, ANALYZE) applications_application")


# --- loading ---------------------------------------------------------------------------------


_CITIES: dict[Plan, tuple[Any, Any, Any, Any]] = {}


def _city(plan: Plan) -> tuple[Any, Any, Any, Any]:
    """The synthetic city's geography, schools and zones (built once, shared by the workers)."""
    if plan not in _CITIES:
        from sunshine.demo.geography import build_geography
        from sunshine.demo.schools import build_zones, place_schools

        rng = random.Random(f"bench-verification:{plan.seed}")
        geography = build_geography(rng, plan.applications)
        sites = place_schools(rng, geography)
        zones = build_zones(rng, geography.compounds, sites)
        _CITIES[plan] = (geography, sites, zones, _zone_lookup(zones))
    return _CITIES[plan]


def _geography(plan: Plan) -> tuple[Any, Any]:
    geography, _, zones, _ = _city(plan)
    return geography.compounds, zones


def _load(plan: Plan) -> int:
    from sunshine.audit.services import Actor
    from sunshine.demo.loader import term_policy, timetable
    from sunshine.demo.model import Level
    from sunshine.schools import services as school_services
    from sunshine.schools.models import RoundKind
    from sunshine.verification.models import DepartmentExtract, RecordKind

    actor = Actor(name="bench", role="city")
    geography, sites, zones, _ = _city(plan)
    school_services.import_geography(
        actor, [(d.code, d.name) for d in geography.districts], geography.compounds
    )
    school_services.import_schools(
        actor,
        [
            school_services.SchoolInput(
                s.school_code,
                s.name,
                s.district_code,
                str(s.kind),
                str(s.level),
                s.address,
                s.latitude,
                s.longitude,
                45,
            )
            for s in sites
        ],
        {zone.school_code: zone.units for zone in zones},
    )
    term = school_services.create_term(
        actor,
        year=2024,
        name="2024年秋季义务教育招生（性能测试）",
        reference_date=dt.date(2024, 6, 30),
        policy_toml=term_policy(2024, dt.date(2023, 9, 1)),
    )
    primary = [s for s in sites if s.level is Level.PRIMARY]
    round_ = school_services.create_round(
        actor,
        term=term,
        kind=RoundKind.MAIN,
        level="primary",
        timetable=timetable(2024),
        seats={s.school_code: plan.applications // len(primary) for s in primary},
    )
    extracts = {
        kind: DepartmentExtract.objects.create(
            department=department, kind=kind, source_name="bench", sha256="0" * 64, row_count=0
        ).pk
        for kind, department in (
            (RecordKind.HUKOU, "police"),
            (RecordKind.PROPERTY, "natural_resources"),
        )
    }
    tasks = [
        ("families", start, plan, round_.pk, extracts)
        for start in range(0, plan.applications, BLOCK)
    ]
    filler_hukou = plan.hukou - 3 * plan.applications
    filler_property = plan.properties - plan.applications
    tasks += [
        ("hukou", start, plan, filler_hukou, extracts) for start in range(0, filler_hukou, BLOCK)
    ]
    tasks += [
        ("property", start, plan, filler_property, extracts)
        for start in range(0, filler_property, BLOCK)
    ]
    from django.db import connection, connections

    connections.close_all()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for _ in pool.imap_unordered(_load_block, tasks):
            pass
    with connection.cursor() as cursor:
        for table in ("applications_child", "applications_application"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    return round_.pk


def _load_block(task: tuple[Any, ...]) -> None:
    from django.db import connections

    what, start = task[0], task[1]
    try:
        if what == "families":
            _, _, plan, round_id, extracts = task
            _load_families(plan, start, min(BLOCK, plan.applications - start), round_id, extracts)
        else:
            _, _, plan, total, extracts = task
            _load_filler(what, plan, start, min(BLOCK, total - start), extracts)
    finally:
        connections.close_all()


@dataclass(frozen=True)
class _Flat:
    compound: Any
    building: int
    unit: int
    room: int


class _Maker:
    """Deterministic people, flats and certificates for one block of the bench city."""

    def __init__(self, plan: Plan, part: str, start: int) -> None:
        self.rng = random.Random(f"bench-verification:{plan.seed}:{part}:{start}")
        self.compounds, self.zones = _geography(plan)

    def flat(self) -> _Flat:
        compound = self.rng.choice(self.compounds)
        return _Flat(
            compound,
            self.rng.randint(1, compound.buildings),
            self.rng.randint(1, 3),
            self.rng.randint(1, 18) * 100 + self.rng.randint(1, 4),
        )

    def address(self, flat: _Flat) -> str:
        from sunshine.demo.addresses import canonical_address

        return canonical_address(flat.compound, flat.building, flat.unit, flat.room)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        )

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))


def _person_id(region: str, base: dt.date, index: int, male: bool) -> str:
    """Unique ID numbers: 500 people of each sex are born on each day from ``base``."""
    from sunshine.engine.idnumber import compose

    born = base + dt.timedelta(days=index // 500)
    return compose(region, born, 2 * (index % 500) + (1 if male else 0))


def _certificate(serial: int) -> str:
    return f"湘(2019)常德市不动产权第{serial:07d}号"


def _load_families(
    plan: Plan, start: int, count: int, round_id: int, extracts: dict[str, int]
) -> None:
    from sunshine.engine.records import (
        Declaration,
        GuardianDeclaration,
        HukouRecord,
        PropertyOwner,
        PropertyRecord,
    )

    make = _Maker(plan, "families", start)
    lookup = _city(plan)[3]
    hukou: list[Any] = []
    properties: list[Any] = []
    children: list[tuple[Any, ...]] = []
    applications: list[tuple[Any, ...]] = []
    for i in range(start, start + count):
        home = make.flat()
        father = _person_id("430702", dt.date(1980, 1, 1), i, male=True)
        mother = _person_id("430702", dt.date(1980, 1, 1), i, male=False)
        boy = make.rng.random() < 0.52
        child = _person_id("430702", dt.date(2017, 9, 1), i, male=boy)
        names = (make.name(), make.name(), make.name())
        lives_where_registered = make.rng.random() < 0.85
        hukou_flat = home if lives_where_registered else make.flat()
        hukou_text = make.address(hukou_flat)
        moved_in = make.day(dt.date(2012, 1, 1), dt.date(2024, 3, 1))
        hukou += [
            HukouRecord(father, names[0], hukou_text, moved_in, father, "户主"),
            HukouRecord(mother, names[1], hukou_text, moved_in, father, "配偶"),
            HukouRecord(child, names[2], hukou_text, moved_in, father, "子" if boy else "女"),
        ]
        home_text = make.address(home)
        certificate = None
        if make.rng.random() < 0.6:
            certificate = _certificate(i + 1)
            properties.append(
                PropertyRecord(
                    certificate,
                    (PropertyOwner(father, 50), PropertyOwner(mother, 50)),
                    home_text,
                    make.day(dt.date(2010, 1, 1), dt.date(2023, 12, 31)),
                )
            )
            if make.rng.random() < 0.03:  # a mistyped certificate number
                certificate = _certificate(plan.properties + i + 1)
        declaration = Declaration(
            child_name=names[2],
            child_id_number=child,
            guardians=(
                GuardianDeclaration(names[0], father, f"138{i:08d}", "父亲"),
                GuardianDeclaration(names[1], mother, f"139{i:08d}", "母亲"),
            ),
            residence_address=home_text,
            hukou_address=hukou_text,
            property_certificate_no=certificate,
            property_address=home_text if certificate else None,
        )
        children.append((i + 1, names[2], child, boy))
        school = lookup.get((home.compound.compound_id, home.building))
        applications.append(
            (i + 1, declaration, school, home.compound.latitude, home.compound.longitude)
        )
    _copy_records("hukou", hukou, extracts["hukou"])
    _copy_records("property", properties, extracts["property"])
    _copy_applications(children, applications, round_id)


def _zone_lookup(zones: Any) -> dict[tuple[str, int], str]:
    from sunshine.demo.model import Level

    found: dict[tuple[str, int], str] = {}
    for zone in zones:
        if zone.level is not Level.PRIMARY:
            continue
        for unit in zone.units:
            for building in range(unit.building_from, unit.building_to + 1):
                found[(unit.compound_id, building)] = zone.school_code
    return found


def _load_filler(what: str, plan: Plan, start: int, count: int, extracts: dict[str, int]) -> None:
    """Records of people and homes no application mentions, so look-ups search a full table."""
    from sunshine.engine.records import HukouRecord, PropertyOwner, PropertyRecord

    make = _Maker(plan, what, start)
    rows: list[Any] = []
    for n in range(start, start + count):
        text = make.address(make.flat())
        if what == "hukou":
            person = _person_id("430721", dt.date(1950, 1, 1), n, male=n % 2 == 0)
            head = _person_id("430721", dt.date(1950, 1, 1), n - n % 3, male=(n - n % 3) % 2 == 0)
            rows.append(
                HukouRecord(
                    person,
                    make.name(),
                    text,
                    make.day(dt.date(1990, 1, 1), dt.date(2024, 3, 1)),
                    head,
                    "户主" if person == head else "配偶",
                )
            )
        else:
            owner = _person_id("430721", dt.date(1950, 1, 1), n, male=True)
            rows.append(
                PropertyRecord(
                    _certificate(2 * plan.properties + n + 1),
                    (PropertyOwner(owner, 100),),
                    text,
                    make.day(dt.date(2000, 1, 1), dt.date(2023, 12, 31)),
                )
            )
    _copy_records(what, rows, extracts[what])


def _copy_records(kind: str, records: list[Any], extract_id: int) -> None:
    from sunshine.privacy.crypto import encrypt
    from sunshine.verification.records import KINDS, key_index, to_json

    key_field = KINDS[kind].key_field  # type: ignore[index]

    def rows() -> Iterator[tuple[Any, ...]]:
        for record in records:
            payload = encrypt(to_json(record), "department.record")
            yield (kind, key_index(kind, getattr(record, key_field)), payload, extract_id)

    _copy(
        "verification_departmentrecord", ("kind", "key_index", "payload_json", "extract_id"), rows()
    )


def _copy_applications(
    children: list[tuple[Any, ...]], applications: list[tuple[Any, ...]], round_id: int
) -> None:
    from sunshine.applications.services import id_index
    from sunshine.privacy.crypto import encrypt
    from sunshine.schools.models import School

    schools = dict(School.objects.values_list("code", "pk"))
    now = dt.datetime(2024, 7, 2, 9, tzinfo=dt.UTC)
    _copy(
        "applications_child",
        ("id", "name", "id_number", "id_index", "sex", "birth_date", "twin_group"),
        (
            (
                pk,
                name,
                encrypt(number, "child.id_number"),
                id_index(number),
                "M" if boy else "F",
                dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                "",
            )
            for pk, name, number, boy in children
        ),
    )
    _copy(
        "applications_application",
        (
            "id",
            "reference",
            "round_id",
            "child_id",
            "status",
            "declaration_json",
            "zone_school_id",
            "home_latitude",
            "home_longitude",
            "created_at",
            "updated_at",
            "submitted_at",
        ),
        (
            (
                pk,
                f"2024P{pk:09d}",
                round_id,
                pk,
                "submitted",
                encrypt(
                    json.dumps(dataclasses.asdict(declaration), ensure_ascii=False),
                    "application.declaration",
                ),
                schools.get(school) if school else None,
                latitude,
                longitude,
                now,
                now,
                now,
            )
            for pk, declaration, school, latitude, longitude in applications
        ),
    )


def _copy(table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    from django.db import connection, transaction

    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
