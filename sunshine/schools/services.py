"""Set-up of the year: geography, schools, zones, terms, rounds, seats."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from sunshine.audit.chain import fingerprint
from sunshine.audit.services import Actor, record
from sunshine.engine.records import AddressUnit
from sunshine.engine.records import Compound as CompoundRecord
from sunshine.schools import zones
from sunshine.schools.models import (
    Compound,
    District,
    Round,
    RoundKind,
    School,
    SeatPlan,
    Term,
    ZoneUnit,
)


@dataclass(frozen=True)
class SchoolInput:
    code: str
    name: str
    district_code: str
    kind: str
    level: str
    address: str
    latitude: float
    longitude: float
    class_size: int


def import_geography(
    actor: Actor, districts: Sequence[tuple[str, str]], compounds: Sequence[CompoundRecord]
) -> None:
    """Create districts and residential compounds (existing codes are refused)."""
    with transaction.atomic():
        rows = District.objects.bulk_create(District(code=c, name=n) for c, n in districts)
        by_code = {d.code: d for d in District.objects.all()}
        unknown = sorted({c.district_code for c in compounds} - set(by_code))
        if unknown:
            raise ValidationError({"district_code": f"未知的行政区划代码：{', '.join(unknown)}"})
        Compound.objects.bulk_create(
            (
                Compound(
                    code=c.compound_id,
                    name=c.name,
                    aliases=list(c.aliases),
                    district=by_code[c.district_code],
                    street=c.street,
                    community=c.community,
                    road=c.road,
                    door_number=c.door_number,
                    buildings=c.buildings,
                    latitude=c.latitude,
                    longitude=c.longitude,
                )
                for c in compounds
            ),
            batch_size=1000,
        )
        record(
            actor,
            "setup.geography_imported",
            districts=len(rows),
            compounds=len(compounds),
            sha256=fingerprint([c.compound_id for c in compounds]),
        )


def import_schools(
    actor: Actor,
    schools: Sequence[SchoolInput],
    zones: Mapping[str, Sequence[AddressUnit]],
) -> None:
    """Create schools and their catchment zones; every unit must name a known building."""
    with transaction.atomic():
        districts = {d.code: d for d in District.objects.all()}
        School.objects.bulk_create(
            School(
                code=s.code,
                name=s.name,
                district=districts[s.district_code],
                kind=s.kind,
                level=s.level,
                address=s.address,
                latitude=s.latitude,
                longitude=s.longitude,
                class_size=s.class_size,
            )
            for s in schools
        )
        by_code = {s.code: s for s in School.objects.all()}
        compounds = {c.code: c for c in Compound.objects.all()}
        units = []
        for school_code, school_units in zones.items():
            for unit in school_units:
                compound = compounds.get(unit.compound_id)
                if compound is None or not 1 <= unit.building_from <= unit.building_to:
                    raise ValidationError({"zones": f"{school_code}: 片区单元无效 {unit}"})
                if unit.building_to > compound.buildings:
                    raise ValidationError(
                        {"zones": f"{school_code}: {compound.name}没有{unit.building_to}栋"}
                    )
                units.append(
                    ZoneUnit(
                        school=by_code[school_code],
                        compound=compound,
                        building_from=unit.building_from,
                        building_to=unit.building_to,
                    )
                )
        ZoneUnit.objects.bulk_create(units, batch_size=1000)
        record(actor, "setup.schools_imported", schools=len(schools), zone_units=len(units))


def create_term(
    actor: Actor, *, year: int, name: str, reference_date: dt.date, policy_toml: str
) -> Term:
    with transaction.atomic():
        term = Term.objects.create(
            year=year, name=name, reference_date=reference_date, policy_toml=policy_toml
        )
        record(actor, "setup.term_created", term, policy_sha256=fingerprint(policy_toml))
    return term


def create_round(
    actor: Actor,
    *,
    term: Term,
    kind: RoundKind,
    level: str,
    timetable: Sequence[dt.datetime],
    seats: Mapping[str, int],
    allows_private_choice: bool = True,
) -> Round:
    """A round with its timetable (opens, closes, verification ends, lottery, results)."""
    opens, closes, verification_ends, lottery_on, results_on = timetable
    with transaction.atomic():
        round_ = Round.objects.create(
            term=term,
            kind=kind,
            level=level,
            registration_opens=opens,
            registration_closes=closes,
            verification_ends=verification_ends,
            lottery_on=lottery_on,
            results_on=results_on,
            allows_private_choice=allows_private_choice,
        )
        schools = {s.code: s for s in School.objects.filter(code__in=seats)}
        missing = sorted(set(seats) - set(schools))
        if missing:
            raise ValidationError({"seats": f"未知的学校代码：{', '.join(missing)}"})
        wrong_level = sorted(code for code, s in schools.items() if s.level != level)
        if wrong_level:
            raise ValidationError({"seats": f"学段不符的学校：{', '.join(wrong_level)}"})
        SeatPlan.objects.bulk_create(
            SeatPlan(school=schools[code], round=round_, seats=count)
            for code, count in sorted(seats.items())
        )
        record(actor, "setup.round_created", round_, seats=sum(seats.values()))
    return round_


TIMETABLE_FIELDS = (
    "registration_opens",
    "registration_closes",
    "verification_ends",
    "lottery_on",
    "results_on",
)
TIMETABLE_LABELS = ("报名开始", "报名截止", "核验截止", "摇号", "公布结果")


def check_timetable(timetable: Sequence[dt.datetime]) -> None:
    """Each step of the timetable comes after the one before it."""
    if len(timetable) != len(TIMETABLE_FIELDS):
        raise ValidationError(
            {"timetable": "日程应包含报名开始、报名截止、核验截止、摇号和公布结果"}
        )
    opens, closes = timetable[0], timetable[1]
    if not opens < closes:
        raise ValidationError({TIMETABLE_FIELDS[1]: "报名截止时间应晚于报名开始时间"})
    for index in range(2, len(timetable)):
        if timetable[index] < timetable[index - 1]:
            raise ValidationError(
                {
                    TIMETABLE_FIELDS[index]: f"{TIMETABLE_LABELS[index]}时间不能早于"
                    f"{TIMETABLE_LABELS[index - 1]}时间"
                }
            )


def open_round(
    actor: Actor,
    *,
    term: Term,
    kind: RoundKind,
    level: str,
    timetable: Sequence[dt.datetime],
    allows_private_choice: bool = True,
    seats: Mapping[str, int] | None = None,
) -> Round:
    """A new round after checking its timetable and that the term has no such round yet."""
    check_timetable(timetable)
    if Round.objects.filter(term=term, kind=kind, level=level).exists():
        raise ValidationError({"kind": "本年度该学段已有同类批次"})
    return create_round(
        actor,
        term=term,
        kind=kind,
        level=level,
        timetable=timetable,
        seats=seats or {},
        allows_private_choice=allows_private_choice,
    )


def update_timetable(actor: Actor, round_: Round, timetable: Sequence[dt.datetime]) -> Round:
    check_timetable(timetable)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        before = {name: getattr(locked, name).isoformat() for name in TIMETABLE_FIELDS}
        for name, when in zip(TIMETABLE_FIELDS, timetable, strict=True):
            setattr(locked, name, when)
        locked.save(update_fields=list(TIMETABLE_FIELDS))
        after = {name: getattr(locked, name).isoformat() for name in TIMETABLE_FIELDS}
        record(actor, "setup.timetable_changed", locked, before=before, after=after)
    return locked


def _round_is_decided(round_: Round) -> bool:
    return round_.runs.exclude(status="preview").exists()


def save_seat_plan(
    actor: Actor, *, school: School, round_: Round, seats: int, reserved: Mapping[str, int]
) -> SeatPlan:
    """Set a school's seats in a round, with reserved quotas (名额) that are part of them."""
    if school.level != round_.level:
        raise ValidationError({"school": "学校学段与批次学段不符"})
    if seats < 0:
        raise ValidationError({"seats": "学位数不能为负数"})
    for name, count in reserved.items():
        if not name.strip():
            raise ValidationError({"reserved": "预留名额需要名称"})
        if count < 0:
            raise ValidationError({"reserved": f"预留名额“{name}”不能为负数"})
    if sum(reserved.values()) > seats:
        raise ValidationError({"reserved": "预留名额合计不能超过学位数"})
    with transaction.atomic():
        if _round_is_decided(round_):
            raise ValidationError({"seats": "本批次录取结果已确认，学位计划不能再修改"})
        plan, created = SeatPlan.objects.select_for_update().get_or_create(
            school=school, round=round_, defaults={"seats": seats, "reserved": dict(reserved)}
        )
        before = None if created else {"seats": plan.seats, "reserved": plan.reserved}
        plan.seats, plan.reserved = seats, dict(reserved)
        plan.save(update_fields=["seats", "reserved"])
        record(
            actor,
            "setup.seat_plan_saved",
            plan,
            school=school.code,
            round=round_.pk,
            before=before,
            after={"seats": seats, "reserved": dict(reserved)},
        )
    return plan


def save_school(actor: Actor, school: SchoolInput, *, existing: School | None = None) -> School:
    """Create a school, or change one (its code stays)."""
    district = District.objects.filter(code=school.district_code).first()
    if district is None:
        raise ValidationError({"district_code": "未知的行政区划代码"})
    if existing is None and School.objects.filter(code=school.code).exists():
        raise ValidationError({"code": "学校代码已存在"})
    if not (-90 <= school.latitude <= 90 and -180 <= school.longitude <= 180):
        raise ValidationError({"latitude": "经纬度超出范围"})
    if school.class_size < 1:
        raise ValidationError({"class_size": "班额至少为 1"})
    with transaction.atomic():
        row = existing or School(code=school.code)
        if existing is not None and existing.level != school.level and existing.seat_plans.exists():
            raise ValidationError({"level": "学校已有学位计划，不能更改学段"})
        row.name, row.district, row.kind, row.level = (
            school.name,
            district,
            school.kind,
            school.level,
        )
        row.address, row.latitude, row.longitude = school.address, school.latitude, school.longitude
        row.class_size = school.class_size
        row.save()
        record(
            actor,
            "setup.school_created" if existing is None else "setup.school_changed",
            row,
            code=row.code,
        )
    return row


@dataclass(frozen=True)
class ZoneImport:
    """What a zone import did, or why it did nothing."""

    rows: int
    schools: tuple[str, ...]
    errors: tuple[zones.RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def import_zones(actor: Actor, content: bytes, *, allowed_schools: Collection[str]) -> ZoneImport:
    """Replace the zones of the schools a spreadsheet names; any bad row and nothing changes.

    ``allowed_schools``: codes of the schools the importing user may change.
    """
    try:
        sheet = zones.read_sheet(content)
    except zones.UnreadableSheet as problem:
        return ZoneImport(0, (), (zones.RowError(1, "文件", str(problem)),))
    with transaction.atomic():
        named = sorted({row.school_code for row in sheet.rows})
        known = {
            s.code: zones.KnownSchool(s.level, s.code in allowed_schools)
            for s in School.objects.filter(code__in=named)
        }
        kept: dict[str, list[tuple[str, int, int, str]]] = defaultdict(list)
        for unit in ZoneUnit.objects.exclude(school__code__in=named).select_related(
            "school", "compound"
        ):
            kept[unit.school.level].append(
                (unit.compound.code, unit.building_from, unit.building_to, unit.school.code)
            )
        compounds = {
            c.code: c
            for c in Compound.objects.filter(code__in={r.compound_code for r in sheet.rows})
        }
        errors = sheet.errors + zones.check_rows(
            sheet.rows,
            schools=known,
            buildings={code: c.buildings for code, c in compounds.items()},
            kept_units=kept,
        )
        if errors:
            return ZoneImport(0, (), tuple(sorted(errors, key=lambda e: (e.line, e.column))))
        if not sheet.rows:
            return ZoneImport(0, (), (zones.RowError(2, "文件", "表格中没有片区数据"),))
        by_code = {s.code: s for s in School.objects.filter(code__in=named)}
        removed, _ = ZoneUnit.objects.filter(school__code__in=named).delete()
        ZoneUnit.objects.bulk_create(
            (
                ZoneUnit(
                    school=by_code[row.school_code],
                    compound=compounds[row.compound_code],
                    building_from=row.building_from,
                    building_to=row.building_to,
                )
                for row in sheet.rows
            ),
            batch_size=1000,
        )
        record(
            actor,
            "setup.zones_imported",
            schools=named,
            rows=len(sheet.rows),
            replaced_units=removed,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    return ZoneImport(len(sheet.rows), tuple(named), ())
