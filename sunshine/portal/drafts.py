"""The fields of an application draft, their checks, and the declaration they make.

A draft is plain JSON so that the pages, the API and the browser's local copy
share one shape. Values are what the family typed; they are checked step by
step and once more, whole, before submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sunshine.applications.models import Child, Guardianship
from sunshine.engine.records import Declaration, GuardianDeclaration
from sunshine.schools.models import Round, School, SchoolKind, SeatPlan

MAX_PRIVATE_CHOICES = 3
MAX_TEXT = 200


class Housing:
    OWN = "own"
    RENT = "rent"
    NONE = "none"
    ALL = (OWN, RENT, NONE)


TEXT_FIELDS = (
    "residence_address",
    "hukou_address",
    "property_certificate_no",
    "property_address",
    "rental_registration_no",
    "residence_permit_no",
)
FLAG_FIELDS = ("hukou_same", "property_same")


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    fields: tuple[str, ...]


def steps_for(round_: Round) -> list[Step]:
    """The steps of the application in a round; choices only where the round allows them."""
    steps = [
        Step("address", _("居住与户籍"), ("residence_address", "hukou_same", "hukou_address")),
        Step(
            "housing",
            _("住房情况"),
            (
                "housing",
                "property_certificate_no",
                "property_same",
                "property_address",
                "rental_registration_no",
                "residence_permit_no",
            ),
        ),
    ]
    if round_.allows_private_choice:
        steps.append(Step("choices", _("民办志愿"), ("choices",)))
    steps.append(Step("review", _("核对并提交"), ()))
    return steps


def clean_partial(values: Mapping[str, Any]) -> dict[str, Any]:
    """What may be stored from an autosave: known fields only, bounded, unvalidated."""
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in values:
            cleaned[name] = str(values[name] or "")[:MAX_TEXT]
    for name in FLAG_FIELDS:
        if name in values:
            cleaned[name] = _as_flag(values[name])
    if "housing" in values and values["housing"] in Housing.ALL:
        cleaned["housing"] = values["housing"]
    if "choices" in values:
        raw = values["choices"]
        items = raw if isinstance(raw, list | tuple) else [raw]
        cleaned["choices"] = [str(code)[:16] for code in items if code][:MAX_PRIVATE_CHOICES]
    return cleaned


def _as_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def _text(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def check_step(step: str, data: Mapping[str, Any], round_: Round) -> None:
    """Raise a ValidationError naming each field of ``step`` that cannot be submitted."""
    errors: dict[str, str] = {}
    if step == "address":
        if len(_text(data, "residence_address")) < 6:
            errors["residence_address"] = _("请填写实际居住地址，写到小区、楼栋和门牌")
    elif step == "housing":
        housing = data.get("housing")
        if housing not in Housing.ALL:
            errors["housing"] = _("请选择住房情况")
        elif housing == Housing.OWN:
            if not _text(data, "property_certificate_no"):
                errors["property_certificate_no"] = _("请填写不动产权证号")
            if not data.get("property_same", True) and len(_text(data, "property_address")) < 6:
                errors["property_address"] = _("请填写房产证上的地址")
        elif housing == Housing.RENT and not _text(data, "rental_registration_no"):
            errors["rental_registration_no"] = _("请填写租赁备案编号")
    elif step == "choices":
        chosen_schools(data, round_)
    if errors:
        raise ValidationError(errors)


def check_all(data: Mapping[str, Any], round_: Round) -> None:
    """Every step at once, with every problem reported together."""
    problems: dict[str, list[str]] = {}
    for step in steps_for(round_):
        try:
            check_step(step.name, data, round_)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                problems.setdefault(field, []).extend(messages)
    if problems:
        raise ValidationError(problems)


def private_schools(round_: Round) -> list[School]:
    """Private schools of the round's level that offer seats in it."""
    codes = SeatPlan.objects.filter(round=round_, school__kind=SchoolKind.PRIVATE).values_list(
        "school_id", flat=True
    )
    return list(School.objects.filter(pk__in=codes).order_by("code"))


def chosen_schools(data: Mapping[str, Any], round_: Round) -> list[School]:
    codes = [code for code in data.get("choices") or [] if code]
    if not codes:
        return []
    if not round_.allows_private_choice:
        raise ValidationError({"choices": _("本轮报名不能填报民办学校")})
    if len(codes) > MAX_PRIVATE_CHOICES:
        raise ValidationError(
            {"choices": _("最多填报%(n)d所民办学校") % {"n": MAX_PRIVATE_CHOICES}}
        )
    if len(set(codes)) != len(codes):
        raise ValidationError({"choices": _("同一所学校只能填报一次")})
    offered = {school.code: school for school in private_schools(round_)}
    unknown = [code for code in codes if code not in offered]
    if unknown:
        raise ValidationError({"choices": _("所选学校不在本轮可填报的民办学校中")})
    return [offered[code] for code in codes]


def guardians_of(child: Child) -> list[GuardianDeclaration]:
    links = Guardianship.objects.filter(child=child).select_related("guardian").order_by("pk")
    return [
        GuardianDeclaration(
            name=link.guardian.name,
            id_number=link.guardian.id_number,
            phone=link.guardian.phone,
            relation=link.relation,
        )
        for link in links
    ]


def declaration_from(data: Mapping[str, Any], child: Child) -> Declaration:
    """The declaration a draft makes; the child and guardians come from their registration."""
    residence = _text(data, "residence_address")
    hukou = residence if data.get("hukou_same", True) else _text(data, "hukou_address")
    housing = data.get("housing")
    owns = housing == Housing.OWN
    rents = housing == Housing.RENT
    property_address = None
    if owns:
        property_address = (
            residence if data.get("property_same", True) else _text(data, "property_address")
        )
    return Declaration(
        child_name=child.name,
        child_id_number=child.id_number,
        guardians=tuple(guardians_of(child)),
        residence_address=residence,
        hukou_address=hukou or None,
        property_certificate_no=_optional(data, "property_certificate_no", owns),
        property_address=property_address,
        rental_registration_no=_optional(data, "rental_registration_no", rents),
        residence_permit_no=_optional(data, "residence_permit_no", rents),
    )


def _optional(data: Mapping[str, Any], name: str, applies: bool) -> str | None:
    """The typed value when the family's housing makes the field apply, else None."""
    return (_text(data, name) or None) if applies else None


def data_from_declaration(declaration: Mapping[str, Any], choices: list[str]) -> dict[str, Any]:
    """A draft that reproduces a submitted application, for editing it."""
    residence = declaration.get("residence_address") or ""
    hukou = declaration.get("hukou_address") or ""
    property_address = declaration.get("property_address") or ""
    if declaration.get("property_certificate_no"):
        housing = Housing.OWN
    elif declaration.get("rental_registration_no") or declaration.get("residence_permit_no"):
        housing = Housing.RENT
    else:
        housing = Housing.NONE
    return {
        "residence_address": residence,
        "hukou_same": hukou == residence,
        "hukou_address": "" if hukou == residence else hukou,
        "housing": housing,
        "property_certificate_no": declaration.get("property_certificate_no") or "",
        "property_same": property_address in ("", residence),
        "property_address": "" if property_address == residence else property_address,
        "rental_registration_no": declaration.get("rental_registration_no") or "",
        "residence_permit_no": declaration.get("residence_permit_no") or "",
        "choices": choices,
    }
