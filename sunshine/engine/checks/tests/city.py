"""A small Changde neighbourhood and one family in it, shared by the checks tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sunshine.engine.address import Gazetteer
from sunshine.engine.checks import (
    CheckContext,
    Department,
    DepartmentUnavailable,
    InMemoryDepartments,
)
from sunshine.engine.idnumber import compose
from sunshine.engine.records import (
    AddressUnit,
    BirthRecord,
    Compound,
    Declaration,
    GuardianDeclaration,
    HukouRecord,
    PropertyOwner,
    PropertyRecord,
    RentalRecord,
    ResidencePermitRecord,
    SocialInsuranceRecord,
)

REFERENCE_DATE = dt.date(2025, 5, 20)


def compound(
    compound_id: str,
    name: str,
    *,
    district: str = "武陵区",
    street: str = "丹阳街道",
    community: str = "丹阳社区",
    road: str = "朗州路",
    door: int = 123,
    buildings: int = 12,
    aliases: tuple[str, ...] = (),
) -> Compound:
    code = {"武陵区": "430702", "鼎城区": "430703"}[district]
    return Compound(
        compound_id, name, aliases, code, district, street, community, road, door, buildings,
        29.03, 111.69,
    )  # fmt: skip


COMPOUNDS = (
    compound("jxht", "锦绣华庭", aliases=("锦绣花园",)),
    compound("yg-wl", "阳光小区", street="府坪街道", community="常青社区", road="人民路", door=8),
    compound(
        "yg-dc",
        "阳光小区",
        district="鼎城区",
        street="玉霞街道",
        community="玉霞社区",
        road="武陵大道",
        door=55,
    ),
    compound("jd", "金丹小区", street="府坪街道", community="常青社区", road="洞庭大道", door=9),
)
GAZETTEER = Gazetteer(COMPOUNDS)
CONTEXT = CheckContext(reference_date=REFERENCE_DATE, gazetteer=GAZETTEER)

# 武陵区第一小学 takes buildings 1-8 of 锦绣华庭; 第二小学 the rest and 金丹小区.
ZONES = {
    "wl-1": (AddressUnit("jxht", 1, 8),),
    "wl-2": (AddressUnit("jxht", 9, 12), AddressUnit("jd", 1, 12)),
}

HOME = "湖南省常德市武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3栋2单元501室"
GRANDPARENTS_HOME = "湖南省常德市武陵区府坪街道常青社区洞庭大道9号金丹小区6栋1单元302室"
FAR_AWAY = "广东省深圳市南山区粤海街道科技园社区科苑路15号"

CHILD_ID = compose("430702", dt.date(2019, 3, 14), 123)
FATHER_ID = compose("430702", dt.date(1988, 6, 2), 51)
MOTHER_ID = compose("430703", dt.date(1990, 11, 23), 82)
GRANDFATHER_ID = compose("430702", dt.date(1960, 1, 9), 17)
STRANGER_ID = compose("430721", dt.date(1985, 4, 30), 33)
CERTIFICATE = "湘(2021)常德市不动产权第0012345号"
RENTAL_NO = "CDZL2024000871"
PERMIT_NO = "430702202400001234"


def household(
    child_address: str = HOME,
    move_in: dt.date = dt.date(2021, 8, 1),
) -> list[HukouRecord]:
    """Father heads the household; mother is his spouse; the child is their son."""
    return [
        HukouRecord(FATHER_ID, "李建国", child_address, dt.date(2021, 8, 1), FATHER_ID, "户主"),
        HukouRecord(MOTHER_ID, "王丽", child_address, dt.date(2021, 8, 1), FATHER_ID, "配偶"),
        HukouRecord(CHILD_ID, "李子涵", child_address, move_in, FATHER_ID, "子"),
        HukouRecord(GRANDFATHER_ID, "李德华", GRANDPARENTS_HOME, dt.date(1995, 3, 1),
                    GRANDFATHER_ID, "户主"),
        HukouRecord(STRANGER_ID, "赵敏", FAR_AWAY, dt.date(2010, 1, 1), STRANGER_ID, "户主"),
    ]  # fmt: skip


@dataclass
class World:
    """Department records as lists, so each test changes only what it is about."""

    hukou: list[HukouRecord] = field(default_factory=household)
    births: list[BirthRecord] = field(
        default_factory=lambda: [BirthRecord(CHILD_ID, FATHER_ID, MOTHER_ID)]
    )
    properties: list[PropertyRecord] = field(
        default_factory=lambda: [
            PropertyRecord(
                CERTIFICATE,
                (PropertyOwner(FATHER_ID, 50), PropertyOwner(MOTHER_ID, 50)),
                HOME,
                dt.date(2021, 6, 18),
            )
        ]
    )
    rentals: list[RentalRecord] = field(
        default_factory=lambda: [
            RentalRecord(RENTAL_NO, MOTHER_ID, HOME, dt.date(2023, 3, 1), dt.date(2026, 2, 28))
        ]
    )
    social_insurance: list[SocialInsuranceRecord] = field(
        default_factory=lambda: [
            SocialInsuranceRecord(FATHER_ID, 30, "常德烟草机械有限责任公司"),
            SocialInsuranceRecord(MOTHER_ID, 14, "常德市第一人民医院"),
        ]
    )
    residence_permits: list[ResidencePermitRecord] = field(
        default_factory=lambda: [
            ResidencePermitRecord(
                PERMIT_NO, MOTHER_ID, HOME, dt.date(2023, 4, 1), dt.date(2026, 3, 31)
            )
        ]
    )

    def departments(self) -> InMemoryDepartments:
        return InMemoryDepartments(
            hukou=self.hukou,
            births=self.births,
            properties=self.properties,
            rentals=self.rentals,
            social_insurance=self.social_insurance,
            residence_permits=self.residence_permits,
        )


def declaration(**changes: Any) -> Declaration:
    base = Declaration(
        child_name="李子涵",
        child_id_number=CHILD_ID,
        guardians=(
            GuardianDeclaration("李建国", FATHER_ID, "13807360001", "父亲"),
            GuardianDeclaration("王丽", MOTHER_ID, "13907360002", "母亲"),
        ),
        residence_address=HOME,
        hukou_address=HOME,
        property_certificate_no=CERTIFICATE,
        property_address=HOME,
    )
    return replace(base, **changes)


class Recording:
    """Wraps departments, remembering every question and failing chosen look-ups."""

    def __init__(
        self,
        inner: InMemoryDepartments,
        *,
        down: dict[str, Department] | None = None,
        should_fail: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.inner = inner
        self.down = down or {}
        self.should_fail = should_fail
        self.asked: list[tuple[str, str]] = []

    def _ask(self, method: str, key: str) -> Any:
        self.asked.append((method, key))
        if method in self.down and (self.should_fail is None or self.should_fail(method, key)):
            raise DepartmentUnavailable(self.down[method], "connection timed out")
        return getattr(self.inner, method)(key)

    def hukou(self, id_number: str) -> HukouRecord | None:
        result: HukouRecord | None = self._ask("hukou", id_number)
        return result

    def birth(self, child_id_number: str) -> BirthRecord | None:
        result: BirthRecord | None = self._ask("birth", child_id_number)
        return result

    def property(self, certificate_no: str) -> PropertyRecord | None:
        result: PropertyRecord | None = self._ask("property", certificate_no)
        return result

    def rental(self, registration_no: str) -> RentalRecord | None:
        result: RentalRecord | None = self._ask("rental", registration_no)
        return result

    def social_insurance(self, id_number: str) -> SocialInsuranceRecord | None:
        result: SocialInsuranceRecord | None = self._ask("social_insurance", id_number)
        return result

    def residence_permit(self, permit_no: str) -> ResidencePermitRecord | None:
        result: ResidencePermitRecord | None = self._ask("residence_permit", permit_no)
        return result
