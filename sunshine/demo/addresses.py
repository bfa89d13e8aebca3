"""Address text as departments write it (canonical) and as parents type it (variants)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from sunshine.engine.records import Compound

PROVINCE_AND_CITY = "湖南省常德市"

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


class Prefix(StrEnum):
    """How much of the administrative path precedes the compound name."""

    FULL = "full"  # 湖南省常德市武陵区丹阳街道丹阳社区朗州路123号
    CITY = "city"  # 常德市武陵区
    NONE = "none"


class BuildingForm(StrEnum):
    DONG = "栋"
    ZHUANG = "幢"
    HAO_LOU = "号楼"
    DASH = "-"  # 3-2-501


@dataclass(frozen=True, slots=True)
class AddressStyle:
    prefix: Prefix = Prefix.FULL
    use_alias: bool = False
    building_form: BuildingForm = BuildingForm.DONG
    full_width_digits: bool = False


CANONICAL_STYLE = AddressStyle()


def render_address(
    compound: Compound, building: int, unit: int, room: int, style: AddressStyle
) -> str:
    if style.prefix is Prefix.FULL:
        head = (
            f"{PROVINCE_AND_CITY}{compound.district}{compound.street}{compound.community}"
            f"{compound.road}{compound.door_number}号"
        )
    elif style.prefix is Prefix.CITY:
        head = f"常德市{compound.district}"
    else:
        head = ""
    name = compound.aliases[0] if style.use_alias and compound.aliases else compound.name
    if style.building_form is BuildingForm.DASH:
        flat = f"{building}-{unit}-{room}"
    else:
        flat = f"{building}{style.building_form.value}{unit}单元{room}室"
    text = head + name + flat
    return text.translate(_FULL_WIDTH_DIGITS) if style.full_width_digits else text


def canonical_address(compound: Compound, building: int, unit: int, room: int) -> str:
    """The form departments record.

    For example 湖南省常德市武陵区丹阳街道丹阳社区朗州路123号锦绣华庭3栋2单元501室.
    """
    return render_address(compound, building, unit, room, CANONICAL_STYLE)


def variant_style(rng: random.Random, compound: Compound) -> AddressStyle:
    """A way of writing the address that differs from the canonical one in at least one respect."""
    prefix = rng.choices(tuple(Prefix), weights=(50, 25, 25))[0]
    use_alias = bool(compound.aliases) and rng.random() < 0.4
    form = rng.choices(tuple(BuildingForm), weights=(40, 20, 20, 20))[0]
    full_width = rng.random() < 0.25
    style = AddressStyle(prefix, use_alias, form, full_width)
    if style == CANONICAL_STYLE:
        return AddressStyle(building_form=BuildingForm.ZHUANG)
    return style


def school_address(compound: Compound, road: str, door_number: int) -> str:
    return f"{PROVINCE_AND_CITY}{compound.district}{compound.street}{road}{door_number}号"
