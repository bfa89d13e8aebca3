"""Plain records exchanged between the departments, the families and the engine.

These are the shapes of the facts the platform reasons about. Department
records mirror what the police (公安), real-estate registration (自然资源),
housing (住建), social insurance (人社) and residence-permit offices hold; a
``Declaration`` is what a family typed. Addresses are free text as the
departments write them; ``sunshine.engine.address`` resolves text to an
address unit of a catchment zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HukouRecord:
    """One person in the household register (户籍)."""

    id_number: str
    name: str
    address: str
    move_in_date: dt.date
    household_head_id: str
    relation_to_head: str  # 户主, 配偶, 子, 女, 孙子, 孙女, 父, 母 …


@dataclass(frozen=True, slots=True)
class BirthRecord:
    """Birth registration (出生医学证明): who the parents are."""

    child_id_number: str
    father_id_number: str | None
    mother_id_number: str | None


@dataclass(frozen=True, slots=True)
class PropertyOwner:
    id_number: str
    share_percent: int


@dataclass(frozen=True, slots=True)
class PropertyRecord:
    """Real-estate registration (不动产登记)."""

    certificate_no: str
    owners: tuple[PropertyOwner, ...]
    address: str
    registration_date: dt.date
    use: str = "住宅"


@dataclass(frozen=True, slots=True)
class HousingContractRecord:
    """A registered commercial-housing purchase contract (商品房网签备案)."""

    contract_no: str
    buyer_ids: tuple[str, ...]
    address: str
    signed_date: dt.date


@dataclass(frozen=True, slots=True)
class RentalRecord:
    """A rental registration (租赁备案)."""

    registration_no: str
    tenant_id: str
    address: str
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class SocialInsuranceRecord:
    """Social-insurance contributions (社保), months paid up to the reference date."""

    id_number: str
    months_paid: int
    employer: str


@dataclass(frozen=True, slots=True)
class ResidencePermitRecord:
    """A residence permit (居住证)."""

    permit_no: str
    id_number: str
    address: str
    issued_date: dt.date
    valid_until: dt.date


@dataclass(frozen=True, slots=True)
class GuardianDeclaration:
    name: str
    id_number: str
    phone: str
    relation: str  # 父亲, 母亲, 祖父, 祖母, 外祖父, 外祖母, 其他监护人


@dataclass(frozen=True, slots=True)
class Declaration:
    """What a family declares when it applies: facts to be verified, never trusted."""

    child_name: str
    child_id_number: str
    guardians: tuple[GuardianDeclaration, ...]
    residence_address: str
    hukou_address: str | None = None
    property_certificate_no: str | None = None
    property_address: str | None = None
    rental_registration_no: str | None = None
    residence_permit_no: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Compound:
    """A residential compound (小区), the smallest named place a catchment zone uses.

    Buildings are numbered 1..``buildings``. ``aliases`` are other names people
    and departments use for the same compound (old names, short names).
    """

    compound_id: str
    name: str
    aliases: tuple[str, ...]
    district_code: str
    district: str  # 武陵区
    street: str  # 街道 or 镇
    community: str  # 社区
    road: str  # the road the gate opens on
    door_number: int  # 号 on that road
    buildings: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class AddressUnit:
    """Buildings ``building_from``..``building_to`` (inclusive) of one compound."""

    compound_id: str
    building_from: int
    building_to: int

    def contains(self, compound_id: str, building: int) -> bool:
        return (
            self.compound_id == compound_id and self.building_from <= building <= self.building_to
        )
