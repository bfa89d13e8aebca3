"""The synthetic city as plain, frozen data: what the demo loader writes into the database."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from sunshine.engine.idnumber import Sex
from sunshine.engine.records import (
    AddressUnit,
    BirthRecord,
    Compound,
    Declaration,
    HousingContractRecord,
    HukouRecord,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)


class Level(StrEnum):
    PRIMARY = "primary"
    JUNIOR = "junior"


class SchoolKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"  # 民办, admitting by lottery under 公民同招


class Scenario(StrEnum):
    """The situation a family was generated in; the last three are discrepancies."""

    HUKOU_AND_PROPERTY = "hukou_and_property"
    GRANDPARENT_HUKOU = "grandparent_hukou"
    PROPERTY_ONLY = "property_only"
    MIGRANT_RENTAL = "migrant_rental"
    NO_HOUSE_NO_HUKOU = "no_house_no_hukou"
    MISTYPED_CERTIFICATE = "mistyped_certificate"
    RECENT_HUKOU = "recent_hukou"
    PROPERTY_NOT_FOUND = "property_not_found"

    @property
    def label(self) -> str:
        return _SCENARIO_LABELS[self]

    @property
    def is_discrepancy(self) -> bool:
        return self in _DISCREPANCIES


_SCENARIO_LABELS = {
    Scenario.HUKOU_AND_PROPERTY: "户籍与房产在学区内且地址一致",
    Scenario.GRANDPARENT_HUKOU: "户籍在学区内祖辈住址，房产在学区外",
    Scenario.PROPERTY_ONLY: "房产在学区内，户籍不在学区内",
    Scenario.MIGRANT_RENTAL: "随迁子女：租赁备案、社保、居住证",
    Scenario.NO_HOUSE_NO_HUKOU: "学区内无房无户",
    Scenario.MISTYPED_CERTIFICATE: "不动产权证号填写有误",
    Scenario.RECENT_HUKOU: "户籍迁入时间晚于截止日期",
    Scenario.PROPERTY_NOT_FOUND: "不动产登记查无记录",
}
_DISCREPANCIES = frozenset(
    {Scenario.MISTYPED_CERTIFICATE, Scenario.RECENT_HUKOU, Scenario.PROPERTY_NOT_FOUND}
)


@dataclass(frozen=True, slots=True)
class District:
    code: str  # GB/T 2260 division code
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class School:
    school_code: str
    name: str
    district_code: str
    kind: SchoolKind
    level: Level
    address: str
    latitude: float
    longitude: float
    class_size: int
    seats: int  # places in the entry grade this year

    @property
    def classes(self) -> int:
        return math.ceil(self.seats / self.class_size)


@dataclass(frozen=True, slots=True)
class Zone:
    """A public school's catchment (划片): the address units it admits from."""

    school_code: str
    level: Level
    units: tuple[AddressUnit, ...]


@dataclass(frozen=True, slots=True, order=True)
class Home:
    """A flat: building, unit (单元) and room (室, floor x 100 + door) of a compound."""

    compound_id: str
    building: int
    unit: int
    room: int


@dataclass(frozen=True, slots=True)
class Adult:
    name: str
    id_number: str
    sex: Sex
    birth_date: dt.date
    relation: str  # to the children: 父亲, 母亲, 祖父, 祖母, 外祖父, 外祖母
    phone: str


@dataclass(frozen=True, slots=True)
class Child:
    family_id: str
    name: str
    id_number: str
    sex: Sex
    birth_date: dt.date
    level: Level
    zone_school: str  # the public school whose zone covers the family's zone address
    private_choice: str | None  # a private school's code, applied to before the public stage
    declaration: Declaration


@dataclass(frozen=True, slots=True)
class Family:
    """One household applying this year, with the truth the records were drawn from.

    ``home`` is where the children live; ``zone_home`` is the address the family's
    claim to a zone rests on (the grandparents' flat for a grandparent hukou).
    ``guardians`` are the adults named in the declarations; ``relatives`` the
    others who appear in department records (absent parents, grandparents).
    """

    family_id: str
    scenario: Scenario
    home: Home
    zone_home: Home
    children: tuple[Child, ...]
    guardians: tuple[Adult, ...]
    relatives: tuple[Adult, ...]
    left_behind: bool  # parents work in another province, grandparents look after the child
    address_variant: bool  # the family writes addresses in a non-canonical form

    @property
    def multiple_birth(self) -> bool:
        return len(self.children) > 1


@dataclass(frozen=True, slots=True)
class DepartmentRecords:
    """What the departments hold, as of ``City.records_as_of``."""

    hukou: tuple[HukouRecord, ...]
    births: tuple[BirthRecord, ...]
    properties: tuple[PropertyRecord, ...]
    housing_contracts: tuple[HousingContractRecord, ...]
    rentals: tuple[RentalRecord, ...]
    social_insurance: tuple[SocialInsuranceRecord, ...]
    residence_permits: tuple[ResidencePermitRecord, ...]


@dataclass(frozen=True, slots=True)
class City:
    seed: int
    entry_year: int
    records_as_of: dt.date  # the date the department extracts describe
    hukou_cutoff: dt.date  # hukou moved in on or after this date counts as recent
    districts: tuple[District, ...]
    compounds: tuple[Compound, ...]
    schools: tuple[School, ...]
    zones: tuple[Zone, ...]
    families: tuple[Family, ...]
    records: DepartmentRecords

    def children(self) -> tuple[Child, ...]:
        return tuple(child for family in self.families for child in family.children)
