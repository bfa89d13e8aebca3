"""What a parent should do about each check, and the category's reasons in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sunshine.verification.models import CheckStatus, VerificationCheck

CHECK_TITLES = {
    "identity": gettext_noop("身份信息"),
    "guardianship": gettext_noop("监护关系"),
    "hukou": gettext_noop("户籍"),
    "property": gettext_noop("房产"),
    "rental": gettext_noop("租赁备案"),
    "social_insurance": gettext_noop("社会保险"),
    "residence_permit": gettext_noop("居住证"),
}

# The application step where each declared field is typed, so a parent can correct it.
FIELD_STEPS = {
    "residence_address": "address",
    "hukou_address": "address",
    "property_certificate_no": "housing",
    "property_address": "housing",
    "rental_registration_no": "housing",
    "residence_permit_no": "housing",
}


@dataclass(frozen=True)
class CheckAdvice:
    title: str
    what_to_do: str
    fix_step: str | None
    review_possible: bool


def advice_for(check: VerificationCheck) -> CheckAdvice:
    title = _(CHECK_TITLES.get(check.check_name, check.check_name))
    status = CheckStatus(check.status)
    if status == CheckStatus.VERIFIED:
        return CheckAdvice(title, "", None, False)
    if status == CheckStatus.PENDING:
        return CheckAdvice(title, _("正在向有关部门核验，无需操作。"), None, False)
    if status == CheckStatus.NEEDS_REVIEW:
        if check.reason_code == "guardianship_document_required":
            return CheckAdvice(
                title,
                _("请上传法定监护证明（如法院文书或公证书），工作人员审核后会短信通知您。"),
                None,
                True,
            )
        return CheckAdvice(
            title, _("工作人员将人工核实，无需重复提交；结果会短信通知您。"), None, False
        )
    step = FIELD_STEPS.get(check.field)
    if step is not None:
        return CheckAdvice(
            title,
            _("请按证件核对并更正申报信息；如确认填写无误，可以申请人工审核。"),
            step,
            True,
        )
    if check.field.startswith(("child", "guardians")):
        return CheckAdvice(
            title,
            _("请按户口簿核对孩子和监护人的姓名、身份证号码。登记信息需要更正时，请联系报读学校。"),
            None,
            True,
        )
    return CheckAdvice(title, _("如确认信息无误，可以申请人工审核。"), None, True)


FACT_LABELS = {
    "identity_verified": gettext_noop("身份信息已核验"),
    "guardianship_verified": gettext_noop("监护关系已核验"),
    "hukou_found": gettext_noop("查到户籍登记"),
    "hukou_in_city": gettext_noop("户籍在本市"),
    "hukou_in_zone": gettext_noop("户籍在片区内"),
    "hukou_move_in_date": gettext_noop("户籍迁入日期"),
    "hukou_with_grandparents": gettext_noop("户籍随祖辈"),
    "property_owned_by_guardian": gettext_noop("监护人有住宅房产"),
    "property_in_zone_owned_by_guardian": gettext_noop("监护人在片区内有住宅房产"),
    "property_registration_date": gettext_noop("房产登记日期"),
    "hukou_same_as_property": gettext_noop("户籍地址与房产地址一致"),
    "rental_registered": gettext_noop("有租赁备案"),
    "rental_in_zone_registered": gettext_noop("片区内有有效租赁备案"),
    "rental_months": gettext_noop("租赁月数"),
    "social_insurance_months": gettext_noop("社保累计缴费月数"),
    "has_residence_permit": gettext_noop("持有有效居住证"),
    "residence_permit_in_zone": gettext_noop("居住证地址在片区内"),
    "residence_in_zone": gettext_noop("实际居住在片区内"),
}


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%Y-%m-%d")
        except ValueError:
            return value
    return str(value)


def fact_lines(reasons: Iterable[Mapping[str, object]]) -> list[str]:
    """``[{"fact": "hukou_in_zone", "value": true}]`` → ``["户籍在片区内：是"]``."""
    lines = []
    for reason in reasons:
        name = str(reason.get("fact", ""))
        label = _(FACT_LABELS[name]) if name in FACT_LABELS else name
        lines.append(
            _("%(label)s：%(value)s") % {"label": label, "value": _value_text(reason.get("value"))}
        )
    return lines
