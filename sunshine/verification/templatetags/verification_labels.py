"""How verification codes read on screen: checks, reasons and facts in Chinese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template

register = template.Library()

CHECK_LABELS = {
    "identity": "身份",
    "guardianship": "监护关系",
    "hukou": "户籍",
    "property": "房产",
    "rental": "租赁备案",
    "social_insurance": "社保",
    "residence_permit": "居住证",
}
REASON_LABELS = {
    "department_unavailable": "部门暂时无法查询",
    "address_ambiguous": "地址可对应多个小区",
    "address_unresolved": "地址无法对应到小区楼栋",
    "guardianship_document_required": "需要法定监护证明",
    "category_pending": "类别待定",
    "tie_break_pending": "排序依据待定",
    "parent_request": "家长申请人工审核",
    "offline_check": "片区内无房无户，需入户核查",
}
FACT_LABELS = {
    "identity_verified": "身份已核验",
    "guardianship_verified": "监护关系已核验",
    "hukou_found": "查到户籍",
    "hukou_in_city": "户籍在本市",
    "hukou_in_zone": "户籍在片区",
    "hukou_move_in_date": "户籍迁入日期",
    "hukou_with_grandparents": "户籍随祖辈",
    "property_owned_by_guardian": "监护人有房产",
    "property_in_zone_owned_by_guardian": "监护人在片区内有房产",
    "property_registration_date": "房产登记日期",
    "hukou_same_as_property": "户籍与房产地址一致",
    "rental_registered": "有租赁备案",
    "rental_in_zone_registered": "片区内有租赁备案",
    "rental_months": "租赁月数",
    "social_insurance_months": "社保缴费月数",
    "has_residence_permit": "有居住证",
    "residence_permit_in_zone": "居住证地址在片区",
    "residence_in_zone": "在片区内居住",
}


@register.filter
def check_label(name: str) -> str:
    return CHECK_LABELS.get(name, name)


@register.filter
def reason_labels(codes: Iterable[str]) -> str:
    return "、".join(REASON_LABELS.get(code, code) for code in codes)


@register.filter
def fact_label(name: str) -> str:
    return FACT_LABELS.get(name, name)


@register.filter
def fact_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Short names of the checks' reason codes, for counts by reason (the full sentences a
# parent reads are in sunshine.engine.checks.REASONS).
CHECK_REASON_LABELS = {
    "id_number_invalid": "身份证号码无效",
    "identity_not_found": "户籍中查无此人",
    "identity_name_mismatch": "姓名与户籍不一致",
    "no_guardian_declared": "未填写监护人",
    "guardian_not_linked": "无法确认监护关系",
    "guardian_relation_mismatch": "与孩子关系不一致",
    "hukou_not_found": "查无户籍",
    "hukou_address_mismatch": "户籍地址不一致",
    "property_certificate_format": "不动产权证号格式有误",
    "property_not_found": "查无不动产登记",
    "property_not_residential": "房产不是住宅",
    "property_owner_not_guardian": "产权人不是监护人",
    "property_address_mismatch": "房产地址不一致",
    "rental_not_found": "查无租赁备案",
    "rental_tenant_not_guardian": "承租人不是监护人",
    "rental_not_valid_on_date": "租赁备案不在有效期",
    "social_insurance_not_found": "查无社保记录",
    "residence_permit_not_found": "查无居住证",
    "residence_permit_holder_not_guardian": "居住证持有人不是监护人",
    "residence_permit_not_valid_on_date": "居住证不在有效期",
}


@register.filter
def reason_label(code: str) -> str:
    return CHECK_REASON_LABELS.get(code) or REASON_LABELS.get(code, code)
