"""Families, what they declare, and the department records that describe their real situation."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate
from typing import TypeVar

from sunshine.demo import names
from sunshine.demo.addresses import (
    CANONICAL_STYLE,
    AddressStyle,
    canonical_address,
    render_address,
    variant_style,
)
from sunshine.demo.geography import Geography
from sunshine.demo.model import (
    Adult,
    Child,
    DepartmentRecords,
    Family,
    Home,
    Level,
    Scenario,
    SchoolKind,
)
from sunshine.demo.people import (
    IdRegistry,
    PhoneBook,
    random_date,
    random_sex,
    years_before,
)
from sunshine.demo.schools import SchoolSite, ZoneLookup
from sunshine.engine.idnumber import CHANGDE_DIVISIONS, Sex
from sunshine.engine.records import (
    BirthRecord,
    Declaration,
    GuardianDeclaration,
    HousingContractRecord,
    HukouRecord,
    PropertyOwner,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)

# Shares of families by scenario. The first five follow the usual make-up of an
# urban intake under Changde's five categories; the last three are the
# discrepancies verification must catch. They sum to one.
SCENARIO_SHARES: dict[Scenario, float] = {
    Scenario.HUKOU_AND_PROPERTY: 0.60,
    Scenario.GRANDPARENT_HUKOU: 0.08,
    Scenario.PROPERTY_ONLY: 0.10,
    Scenario.MIGRANT_RENTAL: 0.12,
    Scenario.NO_HOUSE_NO_HUKOU: 0.03,
    Scenario.MISTYPED_CERTIFICATE: 0.03,
    Scenario.RECENT_HUKOU: 0.03,
    Scenario.PROPERTY_NOT_FOUND: 0.01,
}
ADDRESS_VARIANT_SHARE = 0.15  # families who write their addresses in a non-canonical form
PRIMARY_SHARE = 0.80  # families entering grade 1; the rest enter junior high (grade 7)
MULTIPLE_BIRTH_SHARE = 0.015  # families with twins or triplets
TRIPLETS_AMONG_MULTIPLE = 0.05
PRIVATE_CHOICE_SHARE = 0.10  # families who also apply to a private school (公民同招)
LEFT_BEHIND_AMONG_GRANDPARENT = 0.5  # grandparent-hukou children whose parents work elsewhere
NEW_FLAT_SHARE = 0.4  # owners who bought new and so have a registered purchase contract
CONTRACT_AMONG_NOT_FOUND = 0.5  # families missing from the registry who hold a contract
SOCIAL_INSURANCE_SHARE = 0.7  # resident parents with local social insurance
CHILD_TAKES_FATHERS_SURNAME = 0.93

_OWNER_SCENARIOS = frozenset(
    {
        Scenario.HUKOU_AND_PROPERTY,
        Scenario.MISTYPED_CERTIFICATE,
        Scenario.RECENT_HUKOU,
        Scenario.PROPERTY_NOT_FOUND,
    }
)
_CHANGDE_CODES = tuple(sorted(CHANGDE_DIVISIONS))
_SHARED_TWIN_CHARS = "子梓一嘉思雨欣"
_CERTIFICATE = re.compile(r"湘\((\d{4})\)(.+)不动产权第(\d{7})号")
_LEFT_BEHIND_NOTE = "父母在外省务工，由祖辈代为监护"

T = TypeVar("T")


def birth_window(level: Level, entry_year: int) -> tuple[dt.date, dt.date]:
    """Grade 1 takes children who are six by 31 August; grade 7 those six years older."""
    offset = 6 if level is Level.PRIMARY else 12
    return dt.date(entry_year - offset - 1, 9, 1), dt.date(entry_year - offset, 8, 31)


def hukou_cutoff(entry_year: int) -> dt.date:
    """Hukou moved in on or after this day counts as recent."""
    return dt.date(entry_year - 1, 9, 1)


def records_as_of(entry_year: int) -> dt.date:
    """The department extracts describe the day registration opens."""
    return dt.date(entry_year, 7, 1)


def property_registry(district_code: str) -> str:
    """津市市 keeps its own register; 武陵区 and 鼎城区 register with the city."""
    return "津市市" if district_code == "430781" else "常德市"


def certificate_number(year: int, registry: str, serial: int) -> str:
    """The printed form of a real-estate certificate number: 湘(2023)常德市不动产权第0012345号."""
    return f"湘({year}){registry}不动产权第{serial:07d}号"


@dataclass(frozen=True, slots=True)
class FamilyPlan:
    size: int
    level: Level
    scenario: Scenario
    address_variant: bool
    private_choice: bool


@dataclass(frozen=True, slots=True)
class _Kid:
    name: str
    id_number: str
    sex: Sex
    birth_date: dt.date


@dataclass(slots=True)
class _Draft:
    """A family while its records are being written; declarations come last."""

    plan: FamilyPlan
    family_id: str
    home: Home
    zone_home: Home
    kids: list[_Kid]
    guardians: list[Adult]
    relatives: list[Adult]
    hukou_home: Home | None = None
    hukou_text: str = ""
    property_home: Home | None = None
    certificate: str | None = None
    rental_no: str | None = None
    permit_no: str | None = None
    left_behind: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def _quota(rng: random.Random, count: int, shares: Mapping[T, float]) -> list[T]:
    """Exactly the shares (to the nearest unit), in random order."""
    keys = list(shares)
    exact = [count * shares[key] for key in keys]
    counts = [int(value) for value in exact]
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: count - sum(counts)]:
        counts[i] += 1
    result = [key for key, n in zip(keys, counts, strict=True) for _ in range(n)]
    rng.shuffle(result)
    return result


def plan_families(rng: random.Random, children: int) -> list[FamilyPlan]:
    sizes: list[tuple[int, Level]] = []
    remaining = children
    while remaining > 0:
        size = 1
        if rng.random() < MULTIPLE_BIRTH_SHARE:
            size = 3 if rng.random() < TRIPLETS_AMONG_MULTIPLE else 2
        size = min(size, remaining)
        level = Level.PRIMARY if rng.random() < PRIMARY_SHARE else Level.JUNIOR
        sizes.append((size, level))
        remaining -= size
    scenarios = _quota(rng, len(sizes), SCENARIO_SHARES)
    variants = _quota(
        rng, len(sizes), {True: ADDRESS_VARIANT_SHARE, False: 1 - ADDRESS_VARIANT_SHARE}
    )
    return [
        FamilyPlan(size, level, scenario, variant, rng.random() < PRIVATE_CHOICE_SHARE)
        for (size, level), scenario, variant in zip(sizes, scenarios, variants, strict=True)
    ]


class _Records:
    def __init__(self) -> None:
        self.hukou: list[HukouRecord] = []
        self.births: list[BirthRecord] = []
        self.properties: list[PropertyRecord] = []
        self.contracts: list[HousingContractRecord] = []
        self.rentals: list[RentalRecord] = []
        self.social_insurance: list[SocialInsuranceRecord] = []
        self.permits: list[ResidencePermitRecord] = []

    def freeze(self) -> DepartmentRecords:
        return DepartmentRecords(
            hukou=tuple(self.hukou),
            births=tuple(self.births),
            properties=tuple(self.properties),
            housing_contracts=tuple(self.contracts),
            rentals=tuple(self.rentals),
            social_insurance=tuple(self.social_insurance),
            residence_permits=tuple(self.permits),
        )


class Kinship(StrEnum):
    """How the children are related to the head of the household they are registered in."""

    CHILD = ""  # 子, 女
    GRANDCHILD = "孙"  # 孙子, 孙女
    DAUGHTERS_CHILD = "外孙"  # 外孙子, 外孙女


def _child_relation(sex: Sex, kinship: Kinship) -> str:
    if kinship is Kinship.CHILD:
        return "子" if sex is Sex.MALE else "女"
    return kinship.value + ("子" if sex is Sex.MALE else "女")


class FamilyBuilder:
    """Writes each family's true situation into the department records."""

    def __init__(
        self,
        rng: random.Random,
        geography: Geography,
        zones: ZoneLookup,
        sites: Sequence[SchoolSite],
        entry_year: int,
    ) -> None:
        self.rng = rng
        self.compounds = geography.compounds
        self.zones = zones
        self.entry_year = entry_year
        self.as_of = records_as_of(entry_year)
        self.cutoff = hukou_cutoff(entry_year)
        self.first_registration = dt.date(min(2016, entry_year - 4), 1, 1)
        self.ids = IdRegistry(rng)
        self.phones = PhoneBook(rng)
        self.records = _Records()
        self.used_homes: set[Home] = set()
        self.certificates: set[str] = set()
        self._serials: dict[tuple[str, int], int] = {}
        self._counter = 0
        self._layouts = geography.layouts
        weights = [
            layout.capacity(compound.buildings)
            for layout, compound in zip(geography.layouts, geography.compounds, strict=True)
        ]
        self._cumulative = list(accumulate(weights))
        self._indices = range(len(self.compounds))
        self.compound_index = {c.compound_id: i for i, c in enumerate(self.compounds)}
        self._private = {
            level: [
                site for site in sites if site.level is level and site.kind is SchoolKind.PRIVATE
            ]
            for level in Level
        }

    # -- places ---------------------------------------------------------------------------

    def address(self, home: Home) -> str:
        compound = self.compounds[self.compound_index[home.compound_id]]
        return canonical_address(compound, home.building, home.unit, home.room)

    def district_of(self, home: Home) -> str:
        return self.compounds[self.compound_index[home.compound_id]].district_code

    def zone_school(self, level: Level, home: Home) -> str:
        return self.zones.school(level, home.compound_id, home.building)

    def place(self, avoid: tuple[Level, str] | None = None) -> Home:
        """A free flat, compounds weighted by size; ``avoid`` excludes one school's zone."""
        rng = self.rng
        while True:
            index = rng.choices(self._indices, cum_weights=self._cumulative)[0]
            compound, layout = self.compounds[index], self._layouts[index]
            home = Home(
                compound.compound_id,
                rng.randint(1, compound.buildings),
                rng.randint(1, layout.units),
                rng.randint(1, layout.floors) * 100 + rng.randint(1, layout.doors),
            )
            if home in self.used_homes:
                continue
            if avoid is not None and self.zone_school(avoid[0], home) == avoid[1]:
                continue
            self.used_homes.add(home)
            return home

    def home_town(self, changde: float, hunan: float) -> names.HomeTown:
        draw = self.rng.random()
        if draw < changde:
            return self.rng.choice(names.CHANGDE_HOME_TOWNS)
        if draw < changde + hunan:
            return self.rng.choice(names.HUNAN_HOME_TOWNS)
        return self.rng.choice(names.OTHER_PROVINCE_HOME_TOWNS)

    def local_region(self, district_code: str) -> str:
        """Adults living in the city were often born in one of Changde's counties."""
        if self.rng.random() < 0.6:
            return district_code
        return self.rng.choice(names.CHANGDE_HOME_TOWNS).region_code

    # -- people ---------------------------------------------------------------------------

    def kids(self, plan: FamilyPlan, region: str, surname: str) -> list[_Kid]:
        rng = self.rng
        first, last = birth_window(plan.level, self.entry_year)
        birth = random_date(rng, first, last)
        sexes = tuple(random_sex(rng) for _ in range(plan.size))
        numbers = self.ids.issue_consecutive(region, birth, sexes)
        shared = rng.choice(_SHARED_TWIN_CHARS) if plan.size > 1 and rng.random() < 0.5 else None
        kids: list[_Kid] = []
        given_names: set[str] = set()
        for sex, number in zip(sexes, numbers, strict=True):
            given = names.child_given_name(rng, sex, shared)
            while given in given_names:
                given = names.child_given_name(rng, sex, shared)
            given_names.add(given)
            kids.append(_Kid(surname + given, number, sex, birth))
        return kids

    def adult(
        self, surname: str, sex: Sex, birth: dt.date, region: str, relation: str, elder: bool
    ) -> Adult:
        if elder:
            given = names.grandparent_given_name(self.rng, sex)
        else:
            given = names.parent_given_name(self.rng, sex)
        return Adult(
            name=surname + given,
            id_number=self.ids.issue(region, birth, sex),
            sex=sex,
            birth_date=birth,
            relation=relation,
            phone=self.phones.issue(),
        )

    def parents(
        self, plan: FamilyPlan, father_region: str, mother_region: str, kid_region: str
    ) -> tuple[Adult, Adult, list[_Kid]]:
        rng = self.rng
        father_surname, mother_surname = names.surname(rng), names.surname(rng)
        surname = father_surname if rng.random() < CHILD_TAKES_FATHERS_SURNAME else mother_surname
        kids = self.kids(plan, kid_region, surname)
        birth = kids[0].birth_date
        father = self.adult(
            father_surname, Sex.MALE, years_before(rng, birth, 23, 42), father_region, "父亲", False
        )
        mother = self.adult(
            mother_surname,
            Sex.FEMALE,
            years_before(rng, birth, 21, 38),
            mother_region,
            "母亲",
            False,
        )
        for kid in kids:
            self.records.births.append(
                BirthRecord(kid.id_number, father.id_number, mother.id_number)
            )
        return father, mother, kids

    def stranger_id(self) -> str:
        rng = self.rng
        region = rng.choice(_CHANGDE_CODES)
        birth = random_date(rng, dt.date(1955, 1, 1), dt.date(1990, 12, 31))
        return self.ids.issue(region, birth, random_sex(rng))

    def declared_guardians(
        self, father: Adult, mother: Adult, must: Adult | None
    ) -> tuple[list[Adult], list[Adult]]:
        """Who the family names as guardians (at least ``must``) and who it leaves out."""
        draw = self.rng.random()
        chosen = [father, mother] if draw < 0.6 else [father] if draw < 0.8 else [mother]
        if must is not None and must not in chosen:
            chosen = [father, mother]
        others = [adult for adult in (father, mother) if adult not in chosen]
        return chosen, others

    # -- records --------------------------------------------------------------------------

    def serial(self) -> int:
        self._counter += 1
        return self._counter

    def new_certificate(self, district_code: str, year: int) -> str:
        registry = property_registry(district_code)
        key = (registry, year)
        previous = self._serials.get(key)
        if previous is None:
            previous = self.rng.randint(1_000, 20_000)
        # The registry issues certificates to people outside this city's intake in between.
        current = previous + self.rng.randint(1, 40)
        self._serials[key] = current
        return certificate_number(year, registry, current)

    def register_property(
        self, home: Home, owners: Sequence[tuple[str, int]], registered: dt.date
    ) -> str:
        certificate = self.new_certificate(self.district_of(home), registered.year)
        self.certificates.add(certificate)
        self.records.properties.append(
            PropertyRecord(
                certificate_no=certificate,
                owners=tuple(PropertyOwner(owner, share) for owner, share in owners),
                address=self.address(home),
                registration_date=registered,
            )
        )
        return certificate

    def owners(self, father: Adult, mother: Adult) -> tuple[list[tuple[str, int]], Adult]:
        """Owners and shares of a couple's flat, and one owner who must be a named guardian."""
        draw = self.rng.random()
        if draw < 0.5:
            return [(father.id_number, 50), (mother.id_number, 50)], father
        if draw < 0.8:
            return [(father.id_number, 100)], father
        return [(mother.id_number, 100)], mother

    def registration_date(self) -> dt.date:
        return random_date(self.rng, self.first_registration, self.cutoff - dt.timedelta(days=120))

    def contract(self, home: Home, buyers: Sequence[str], signed: dt.date) -> None:
        self.records.contracts.append(
            HousingContractRecord(
                contract_no=f"WQ{signed.year}{self.serial():07d}",
                buyer_ids=tuple(buyers),
                address=self.address(home),
                signed_date=signed,
            )
        )

    def household(
        self, address: str, head: Adult, members: Sequence[tuple[str, str, str, dt.date]]
    ) -> None:
        """Members are (id number, name, relation to the head, move-in date)."""
        for id_number, name, relation, moved_in in members:
            self.records.hukou.append(
                HukouRecord(id_number, name, address, moved_in, head.id_number, relation)
            )

    def kid_members(
        self,
        kids: Sequence[_Kid],
        household_moved_in: dt.date | None,
        kinship: Kinship = Kinship.CHILD,
    ) -> list[tuple[str, str, str, dt.date]]:
        """Children join at their birth registration, or when the household moves in later."""
        # Twins are born and registered together.
        registered = kids[0].birth_date + dt.timedelta(days=self.rng.randint(20, 150))
        moved_in = registered
        if household_moved_in is not None and household_moved_in > registered:
            moved_in = household_moved_in
        return [
            (kid.id_number, kid.name, _child_relation(kid.sex, kinship), moved_in) for kid in kids
        ]

    def village_household(
        self, town: names.HomeTown, father: Adult, mother: Adult, kids: Sequence[_Kid]
    ) -> str:
        address = names.village_address(self.rng, town)
        married = kids[0].birth_date - dt.timedelta(days=self.rng.randint(300, 1500))
        self.household(
            address,
            father,
            [
                (father.id_number, father.name, "户主", father.birth_date + dt.timedelta(days=30)),
                (mother.id_number, mother.name, "配偶", married),
                *self.kid_members(kids, None),
            ],
        )
        return address

    def social_insurance(self, adult: Adult, low: int, high: int) -> None:
        self.records.social_insurance.append(
            SocialInsuranceRecord(
                adult.id_number, self.rng.randint(low, high), names.employer(self.rng)
            )
        )

    def resident_insurance(self, adults: Sequence[Adult]) -> None:
        for adult in adults:
            if self.rng.random() < SOCIAL_INSURANCE_SHARE:
                self.social_insurance(adult, 24, 240)

    def private_choice(self, plan: FamilyPlan, home: Home) -> str | None:
        schools = self._private[plan.level]
        if not plan.private_choice or not schools:
            return None
        district = self.district_of(home)
        weights = [3 if site.district_code == district else 1 for site in schools]
        return self.rng.choices(schools, weights=weights)[0].school_code

    # -- scenarios ------------------------------------------------------------------------

    def build(self, plan: FamilyPlan, family_id: str) -> _Draft:
        if plan.scenario in _OWNER_SCENARIOS:
            return self.owner_family(plan, family_id)
        if plan.scenario is Scenario.GRANDPARENT_HUKOU:
            return self.grandparent_family(plan, family_id)
        if plan.scenario is Scenario.PROPERTY_ONLY:
            return self.property_only_family(plan, family_id)
        if plan.scenario is Scenario.MIGRANT_RENTAL:
            return self.migrant_family(plan, family_id)
        return self.unhoused_family(plan, family_id)

    def owner_family(self, plan: FamilyPlan, family_id: str) -> _Draft:
        """Hukou and owned flat at the same address; the discrepancy scenarios start here."""
        rng = self.rng
        home = self.place()
        district = self.district_of(home)
        father, mother, kids = self.parents(
            plan, self.local_region(district), self.local_region(district), district
        )
        owners, must = self.owners(father, mother)
        guardians, relatives = self.declared_guardians(father, mother, must)
        registered = self.registration_date()
        buyers = [owner for owner, _ in owners]
        if plan.scenario is Scenario.PROPERTY_NOT_FOUND:
            # The flat is theirs, but its registration is missing from the registry's extract.
            certificate = self.new_certificate(district, registered.year)
            if rng.random() < CONTRACT_AMONG_NOT_FOUND:
                self.contract(home, buyers, registered - dt.timedelta(days=rng.randint(180, 720)))
        else:
            certificate = self.register_property(home, owners, registered)
            if rng.random() < NEW_FLAT_SHARE:
                self.contract(home, buyers, registered - dt.timedelta(days=rng.randint(180, 720)))
        if plan.scenario is Scenario.RECENT_HUKOU:
            moved_in = random_date(rng, self.cutoff, self.as_of - dt.timedelta(days=1))
        else:
            latest = min(registered + dt.timedelta(days=540), self.cutoff - dt.timedelta(days=1))
            moved_in = random_date(rng, registered + dt.timedelta(days=14), latest)
        self.household(
            self.address(home),
            father,
            [
                (father.id_number, father.name, "户主", moved_in),
                (mother.id_number, mother.name, "配偶", moved_in),
                *self.kid_members(kids, moved_in),
            ],
        )
        self.resident_insurance((father, mother))
        return _Draft(
            plan,
            family_id,
            home,
            home,
            kids,
            guardians,
            relatives,
            hukou_home=home,
            property_home=home,
            certificate=certificate,
        )

    def grandparent_family(self, plan: FamilyPlan, family_id: str) -> _Draft:
        """Hukou at the grandparents' flat in the zone; the parents own a flat in another zone."""
        rng = self.rng
        grandparents_home = self.place()
        district = self.district_of(grandparents_home)
        zone = (plan.level, self.zone_school(plan.level, grandparents_home))
        own_home = self.place(avoid=zone)
        father, mother, kids = self.parents(
            plan, self.local_region(district), self.local_region(district), district
        )
        paternal = rng.random() < 0.75
        own_child = father if paternal else mother
        other_parent = mother if paternal else father
        grandfather = self.adult(
            own_child.name[0],
            Sex.MALE,
            years_before(rng, own_child.birth_date, 22, 32),
            self.local_region(district),
            "祖父" if paternal else "外祖父",
            True,
        )
        grandmother = self.adult(
            names.surname(rng),
            Sex.FEMALE,
            years_before(rng, own_child.birth_date, 20, 30),
            self.local_region(district),
            "祖母" if paternal else "外祖母",
            True,
        )
        self.register_property(
            grandparents_home,
            [(grandfather.id_number, 100)]
            if rng.random() < 0.5
            else [(grandfather.id_number, 50), (grandmother.id_number, 50)],
            random_date(rng, self.first_registration, self.cutoff - dt.timedelta(days=120)),
        )
        settled = random_date(rng, dt.date(1988, 1, 1), dt.date(2008, 12, 31))
        child_joined = max(settled, own_child.birth_date + dt.timedelta(days=30))
        self.household(
            self.address(grandparents_home),
            grandfather,
            [
                (grandfather.id_number, grandfather.name, "户主", settled),
                (grandmother.id_number, grandmother.name, "配偶", settled),
                (own_child.id_number, own_child.name, "子" if paternal else "女", child_joined),
                *self.kid_members(
                    kids, None, Kinship.GRANDCHILD if paternal else Kinship.DAUGHTERS_CHILD
                ),
            ],
        )
        owners, must = self.owners(father, mother)
        registered = self.registration_date()
        certificate = self.register_property(own_home, owners, registered)
        moved_in = random_date(
            rng, registered + dt.timedelta(days=14), self.cutoff - dt.timedelta(days=1)
        )
        self.household(
            self.address(own_home),
            other_parent,
            [(other_parent.id_number, other_parent.name, "户主", moved_in)],
        )
        left_behind = rng.random() < LEFT_BEHIND_AMONG_GRANDPARENT
        if left_behind:
            elders = [grandfather, grandmother]
            guardians = elders if rng.random() < 0.5 else [rng.choice(elders)]
            relatives = [father, mother, *(e for e in elders if e not in guardians)]
            return _Draft(
                plan,
                family_id,
                grandparents_home,
                grandparents_home,
                kids,
                guardians,
                relatives,
                hukou_home=grandparents_home,
                left_behind=True,
                notes=(_LEFT_BEHIND_NOTE,),
            )
        guardians, relatives = self.declared_guardians(father, mother, must)
        self.resident_insurance((father, mother))
        return _Draft(
            plan,
            family_id,
            own_home,
            grandparents_home,
            kids,
            guardians,
            [*relatives, grandfather, grandmother],
            hukou_home=grandparents_home,
            property_home=own_home,
            certificate=certificate,
        )

    def property_only_family(self, plan: FamilyPlan, family_id: str) -> _Draft:
        """An owned flat in the zone; hukou still in the home county or at an old flat."""
        rng = self.rng
        home = self.place()
        old_home: Home | None = None
        if rng.random() < 0.4:
            old_home = self.place(avoid=(plan.level, self.zone_school(plan.level, home)))
            old_district = self.district_of(old_home)
            father, mother, kids = self.parents(
                plan, self.local_region(old_district), self.local_region(old_district), old_district
            )
            moved_in = random_date(rng, dt.date(2005, 1, 1), dt.date(self.entry_year - 8, 12, 31))
            self.household(
                self.address(old_home),
                father,
                [
                    (father.id_number, father.name, "户主", moved_in),
                    (mother.id_number, mother.name, "配偶", moved_in),
                    *self.kid_members(kids, moved_in),
                ],
            )
            # The old flat was sold; its new owner is no one this intake knows.
            self.register_property(old_home, [(self.stranger_id(), 100)], self.registration_date())
            hukou_text = ""
        else:
            town = self.home_town(0.7, 0.2)
            father, mother, kids = self.parents(
                plan, town.region_code, town.region_code, town.region_code
            )
            hukou_text = self.village_household(town, father, mother, kids)
        owners, must = self.owners(father, mother)
        guardians, relatives = self.declared_guardians(father, mother, must)
        certificate = self.register_property(home, owners, self.registration_date())
        self.resident_insurance((father, mother))
        return _Draft(
            plan,
            family_id,
            home,
            home,
            kids,
            guardians,
            relatives,
            hukou_home=old_home,
            hukou_text=hukou_text,
            property_home=home,
            certificate=certificate,
        )

    def migrant_family(self, plan: FamilyPlan, family_id: str) -> _Draft:
        """Workers from elsewhere renting in the zone: rental registration, insurance, permit."""
        rng = self.rng
        home = self.place()
        self.register_property(home, [(self.stranger_id(), 100)], self.registration_date())
        town = self.home_town(0.5, 0.2)
        region = town.region_code
        father, mother, kids = self.parents(plan, region, region, region)
        hukou_text = self.village_household(town, father, mother, kids)
        tenant = father if rng.random() < 0.6 else mother
        spouse = mother if tenant is father else father
        guardians, relatives = self.declared_guardians(father, mother, tenant)
        start = random_date(
            rng, self.as_of - dt.timedelta(days=330), self.as_of - dt.timedelta(days=30)
        )
        rental_no = f"ZL{self.district_of(home)}{start.year}{self.serial():07d}"
        self.records.rentals.append(
            RentalRecord(
                registration_no=rental_no,
                tenant_id=tenant.id_number,
                address=self.address(home),
                start_date=start,
                end_date=start + dt.timedelta(days=rng.choice((365, 730))),
            )
        )
        self.social_insurance(tenant, 12, 96)
        permit_no = self.permit(tenant, home)
        if rng.random() < 0.5:
            self.social_insurance(spouse, 6, 96)
            self.permit(spouse, home)
        return _Draft(
            plan,
            family_id,
            home,
            home,
            kids,
            guardians,
            relatives,
            hukou_text=hukou_text,
            rental_no=rental_no,
            permit_no=permit_no,
        )

    def permit(self, adult: Adult, home: Home) -> str:
        rng = self.rng
        issued = random_date(
            rng, self.as_of - dt.timedelta(days=330), self.as_of - dt.timedelta(days=30)
        )
        permit_no = f"{self.district_of(home)}{issued.year}{self.serial():07d}"
        self.records.permits.append(
            ResidencePermitRecord(
                permit_no=permit_no,
                id_number=adult.id_number,
                address=self.address(home),
                issued_date=issued,
                valid_until=issued + dt.timedelta(days=365),
            )
        )
        return permit_no

    def unhoused_family(self, plan: FamilyPlan, family_id: str) -> _Draft:
        """Living in the zone with relatives or in an unregistered rental: category 5."""
        rng = self.rng
        home = self.place()
        if rng.random() < 0.5:
            self.register_property(home, [(self.stranger_id(), 100)], self.registration_date())
        town = self.home_town(0.5, 0.2)
        region = town.region_code
        father, mother, kids = self.parents(plan, region, region, region)
        hukou_text = self.village_household(town, father, mother, kids)
        guardians, relatives = self.declared_guardians(father, mother, None)
        if rng.random() < 0.3:
            self.social_insurance(father, 1, 11)
        return _Draft(
            plan, family_id, home, home, kids, guardians, relatives, hukou_text=hukou_text
        )


def mistype(rng: random.Random, certificate: str, existing: set[str]) -> str:
    """A certificate number as a hurried parent types it: one digit wrong, two digits
    swapped, or the wrong year; never another family's real number."""
    match = _CERTIFICATE.fullmatch(certificate)
    if match is None:
        raise ValueError(f"not a certificate number: {certificate}")
    year, registry, serial = int(match[1]), match[2], match[3]
    while True:
        draw = rng.random()
        digits = list(serial)
        new_year = year
        position = rng.randrange(len(digits) - 1)
        if draw < 0.5:
            digits[position] = rng.choice([d for d in "0123456789" if d != digits[position]])
        elif draw < 0.85:
            digits[position], digits[position + 1] = digits[position + 1], digits[position]
        else:
            new_year = year + rng.choice((-1, 1))
        typed = certificate_number(new_year, registry, int("".join(digits)))
        if typed != certificate and typed not in existing:
            return typed


def finish_family(
    rng: random.Random,
    builder: FamilyBuilder,
    draft: _Draft,
    private_choice: str | None,
) -> Family:
    """Write the declarations the family types and freeze the family."""
    plan = draft.plan
    compounds = builder.compounds
    index = builder.compound_index
    home_compound = compounds[index[draft.home.compound_id]]
    style: AddressStyle = (
        variant_style(rng, home_compound) if plan.address_variant else CANONICAL_STYLE
    )

    def typed(home: Home) -> str:
        compound = compounds[index[home.compound_id]]
        return render_address(compound, home.building, home.unit, home.room, style)

    certificate = draft.certificate
    if plan.scenario is Scenario.MISTYPED_CERTIFICATE and certificate is not None:
        certificate = mistype(rng, certificate, builder.certificates)
    guardians = tuple(
        GuardianDeclaration(adult.name, adult.id_number, adult.phone, adult.relation)
        for adult in draft.guardians
    )
    hukou_address = typed(draft.hukou_home) if draft.hukou_home is not None else draft.hukou_text
    property_address = typed(draft.property_home) if draft.property_home is not None else None
    zone_school = builder.zone_school(plan.level, draft.zone_home)
    children = tuple(
        Child(
            family_id=draft.family_id,
            name=kid.name,
            id_number=kid.id_number,
            sex=kid.sex,
            birth_date=kid.birth_date,
            level=plan.level,
            zone_school=zone_school,
            private_choice=private_choice,
            declaration=Declaration(
                child_name=kid.name,
                child_id_number=kid.id_number,
                guardians=guardians,
                residence_address=typed(draft.home),
                hukou_address=hukou_address,
                property_certificate_no=certificate,
                property_address=property_address,
                rental_registration_no=draft.rental_no,
                residence_permit_no=draft.permit_no,
                notes=draft.notes,
            ),
        )
        for kid in draft.kids
    )
    return Family(
        family_id=draft.family_id,
        scenario=plan.scenario,
        home=draft.home,
        zone_home=draft.zone_home,
        children=children,
        guardians=tuple(draft.guardians),
        relatives=tuple(draft.relatives),
        left_behind=draft.left_behind,
        address_variant=plan.address_variant,
    )


def build_families(
    plan_rng: random.Random,
    record_rng: random.Random,
    declaration_rng: random.Random,
    geography: Geography,
    zones: ZoneLookup,
    sites: Sequence[SchoolSite],
    entry_year: int,
    children: int,
) -> tuple[tuple[Family, ...], DepartmentRecords]:
    plans = plan_families(plan_rng, children)
    builder = FamilyBuilder(record_rng, geography, zones, sites, entry_year)
    width = max(6, len(str(len(plans))))
    drafts = [builder.build(plan, f"F{i + 1:0{width}d}") for i, plan in enumerate(plans)]
    choices = [builder.private_choice(draft.plan, draft.home) for draft in drafts]
    families = tuple(
        finish_family(declaration_rng, builder, draft, choice)
        for draft, choice in zip(drafts, choices, strict=True)
    )
    return families, builder.records.freeze()
