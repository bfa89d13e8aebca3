"""What a check concludes, with a reason code and a sentence a parent understands."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

JSONValue: TypeAlias = "str | int | float | bool | list[JSONValue] | dict[str, JSONValue] | None"


class CheckName(StrEnum):
    IDENTITY = "identity"
    GUARDIANSHIP = "guardianship"
    HUKOU = "hukou"
    PROPERTY = "property"
    RENTAL = "rental"
    SOCIAL_INSURANCE = "social_insurance"
    RESIDENCE_PERMIT = "residence_permit"


class CheckStatus(StrEnum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    NEEDS_REVIEW = "needs_review"


class ReasonCode(StrEnum):
    DEPARTMENT_UNAVAILABLE = "department_unavailable"
    ADDRESS_AMBIGUOUS = "address_ambiguous"
    ADDRESS_UNRESOLVED = "address_unresolved"
    IDENTITY_VERIFIED = "identity_verified"
    ID_NUMBER_INVALID = "id_number_invalid"
    IDENTITY_NOT_FOUND = "identity_not_found"
    IDENTITY_NAME_MISMATCH = "identity_name_mismatch"
    GUARDIANSHIP_VERIFIED = "guardianship_verified"
    NO_GUARDIAN_DECLARED = "no_guardian_declared"
    GUARDIAN_NOT_LINKED = "guardian_not_linked"
    GUARDIAN_RELATION_MISMATCH = "guardian_relation_mismatch"
    GUARDIANSHIP_DOCUMENT_REQUIRED = "guardianship_document_required"
    HUKOU_VERIFIED = "hukou_verified"
    HUKOU_NOT_FOUND = "hukou_not_found"
    HUKOU_ADDRESS_MISMATCH = "hukou_address_mismatch"
    PROPERTY_VERIFIED = "property_verified"
    PROPERTY_CERTIFICATE_FORMAT = "property_certificate_format"
    PROPERTY_NOT_FOUND = "property_not_found"
    PROPERTY_NOT_RESIDENTIAL = "property_not_residential"
    PROPERTY_OWNER_NOT_GUARDIAN = "property_owner_not_guardian"
    PROPERTY_ADDRESS_MISMATCH = "property_address_mismatch"
    RENTAL_VERIFIED = "rental_verified"
    RENTAL_NOT_FOUND = "rental_not_found"
    RENTAL_TENANT_NOT_GUARDIAN = "rental_tenant_not_guardian"
    RENTAL_NOT_VALID_ON_DATE = "rental_not_valid_on_date"
    SOCIAL_INSURANCE_VERIFIED = "social_insurance_verified"
    SOCIAL_INSURANCE_NOT_FOUND = "social_insurance_not_found"
    RESIDENCE_PERMIT_VERIFIED = "residence_permit_verified"
    RESIDENCE_PERMIT_NOT_FOUND = "residence_permit_not_found"
    RESIDENCE_PERMIT_HOLDER_NOT_GUARDIAN = "residence_permit_holder_not_guardian"
    RESIDENCE_PERMIT_NOT_VALID_ON_DATE = "residence_permit_not_valid_on_date"


@dataclass(frozen=True, slots=True)
class Reason:
    """The outcome a reason code stands for and its message templates (``str.format``)."""

    status: CheckStatus
    zh: str
    en: str


_V, _M, _N, _R = (
    CheckStatus.VERIFIED,
    CheckStatus.MISMATCH,
    CheckStatus.NOT_FOUND,
    CheckStatus.NEEDS_REVIEW,
)

REASONS: Mapping[ReasonCode, Reason] = {
    ReasonCode.DEPARTMENT_UNAVAILABLE: Reason(
        _R,
        "{department}暂时无法查询，系统会自动重试，无需重复提交",
        "The {department_en} cannot be reached at the moment; the check will be retried "
        "automatically, there is no need to apply again.",
    ),
    ReasonCode.ADDRESS_AMBIGUOUS: Reason(
        _R,
        "{record}中的地址可对应多个小区，将由工作人员人工核实",
        "The address in the {record_en} matches more than one residential compound; "
        "staff will check it by hand.",
    ),
    ReasonCode.ADDRESS_UNRESOLVED: Reason(
        _R,
        "{record}中的地址未能对应到具体小区和楼栋，将由工作人员人工核实",
        "The address in the {record_en} could not be matched to a residential compound "
        "and building; staff will check it by hand.",
    ),
    ReasonCode.IDENTITY_VERIFIED: Reason(
        _V,
        "孩子和监护人的身份信息已核验",
        "The identities of the child and the guardians are verified.",
    ),
    ReasonCode.ID_NUMBER_INVALID: Reason(
        _M,
        "{who}的{problem}",
        "The ID number of {who_en} is not valid: {problem_en}.",
    ),
    ReasonCode.IDENTITY_NOT_FOUND: Reason(
        _N,
        "未在户籍登记中查到{who}的身份证号码，请核对",
        "The ID number of {who_en} was not found in the household register; please check it.",
    ),
    ReasonCode.IDENTITY_NAME_MISMATCH: Reason(
        _M,
        "{who}的姓名与户籍登记不一致，请按户口簿核对姓名",
        "The name of {who_en} differs from the household register; please check it against "
        "the household booklet.",
    ),
    ReasonCode.GUARDIANSHIP_VERIFIED: Reason(
        _V,
        "监护关系已通过出生登记或户籍关系核验",
        "Guardianship is verified through the birth registration or household relations.",
    ),
    ReasonCode.NO_GUARDIAN_DECLARED: Reason(
        _M,
        "请至少填写一位监护人",
        "Please declare at least one guardian.",
    ),
    ReasonCode.GUARDIAN_NOT_LINKED: Reason(
        _M,
        "未能通过出生登记或户籍关系确认{who}与孩子的监护关系，请核对身份证号码，或申请人工审核",
        "The birth registration and household relations do not show that {who_en} is the "
        "child's guardian; please check the ID number or ask for a manual review.",
    ),
    ReasonCode.GUARDIAN_RELATION_MISMATCH: Reason(
        _M,
        "{who}与孩子的关系与登记信息不一致（登记信息显示为{found}），请核对",
        "The relation of {who_en} to the child differs from the records (they show "
        "{found_en}); please check it.",
    ),
    ReasonCode.GUARDIANSHIP_DOCUMENT_REQUIRED: Reason(
        _R,
        "{who}的监护关系需要法定监护证明，请上传材料，由工作人员审核",
        "The guardianship of {who_en} needs a legal document; please upload it for staff "
        "to review.",
    ),
    ReasonCode.HUKOU_VERIFIED: Reason(
        _V,
        "孩子的户籍信息已核验",
        "The child's household registration is verified.",
    ),
    ReasonCode.HUKOU_NOT_FOUND: Reason(
        _N,
        "未查到孩子的户籍登记，请核对孩子的身份证号码",
        "No household registration was found for the child; please check the child's ID number.",
    ),
    ReasonCode.HUKOU_ADDRESS_MISMATCH: Reason(
        _M,
        "申报的户籍地址与户籍登记不一致，请按户口簿填写",
        "The declared hukou address differs from the household register; please copy it "
        "from the household booklet.",
    ),
    ReasonCode.PROPERTY_VERIFIED: Reason(
        _V,
        "房产信息已通过不动产登记核验",
        "The property is verified against the real-estate register.",
    ),
    ReasonCode.PROPERTY_CERTIFICATE_FORMAT: Reason(
        _M,
        "不动产权证号格式不正确，应形如“湘(2023)常德市不动产权第0012345号”；"
        "2015年以前发放的房屋所有权证请申请人工审核",
        "The property certificate number is not in the expected form, for example "
        "湘(2023)常德市不动产权第0012345号; for an ownership certificate issued before 2015 "
        "please ask for a manual review.",
    ),
    ReasonCode.PROPERTY_NOT_FOUND: Reason(
        _N,
        "不动产权证号与登记信息不一致，请核对证书编号",
        "The property certificate number does not match the real-estate register; please "
        "check the certificate number.",
    ),
    ReasonCode.PROPERTY_NOT_RESIDENTIAL: Reason(
        _M,
        "该不动产登记用途为“{use}”，不是住宅，不能作为入学房产",
        "This property is registered for the use '{use}', not as a home, so it does not "
        "count for school admission.",
    ),
    ReasonCode.PROPERTY_OWNER_NOT_GUARDIAN: Reason(
        _M,
        "不动产登记的权利人不是孩子或申报的监护人，请核对证书编号或监护人信息",
        "The registered owners of this property are neither the child nor a declared "
        "guardian; please check the certificate number or the guardians.",
    ),
    ReasonCode.PROPERTY_ADDRESS_MISMATCH: Reason(
        _M,
        "申报的房产地址与不动产登记不一致，请按不动产权证书填写",
        "The declared property address differs from the real-estate register; please copy "
        "it from the certificate.",
    ),
    ReasonCode.RENTAL_VERIFIED: Reason(
        _V,
        "租赁备案信息已核验",
        "The rental registration is verified.",
    ),
    ReasonCode.RENTAL_NOT_FOUND: Reason(
        _N,
        "未查到该租赁备案编号，请核对",
        "No rental registration has this number; please check it.",
    ),
    ReasonCode.RENTAL_TENANT_NOT_GUARDIAN: Reason(
        _M,
        "租赁备案的承租人不是申报的监护人，请核对备案编号或监护人信息",
        "The tenant of this rental registration is not a declared guardian; please check "
        "the number or the guardians.",
    ),
    ReasonCode.RENTAL_NOT_VALID_ON_DATE: Reason(
        _M,
        "租赁备案在{date}不在有效期内（{start}至{end}），请办理备案后重新核验",
        "The rental registration is not valid on {date} (it runs from {start} to {end}); "
        "please renew the registration and run the check again.",
    ),
    ReasonCode.SOCIAL_INSURANCE_VERIFIED: Reason(
        _V,
        "社保缴费信息已核验，监护人最长累计缴费{months}个月",
        "Social-insurance contributions are verified: {months} months paid by a guardian.",
    ),
    ReasonCode.SOCIAL_INSURANCE_NOT_FOUND: Reason(
        _N,
        "未查到监护人的社保缴费记录",
        "No social-insurance contributions were found for the guardians.",
    ),
    ReasonCode.RESIDENCE_PERMIT_VERIFIED: Reason(
        _V,
        "居住证信息已核验",
        "The residence permit is verified.",
    ),
    ReasonCode.RESIDENCE_PERMIT_NOT_FOUND: Reason(
        _N,
        "未查到该居住证号码，请核对",
        "No residence permit has this number; please check it.",
    ),
    ReasonCode.RESIDENCE_PERMIT_HOLDER_NOT_GUARDIAN: Reason(
        _M,
        "居住证持有人不是申报的监护人，请核对居住证号码或监护人信息",
        "The holder of this residence permit is not a declared guardian; please check the "
        "number or the guardians.",
    ),
    ReasonCode.RESIDENCE_PERMIT_NOT_VALID_ON_DATE: Reason(
        _M,
        "居住证在{date}不在有效期内（{start}至{end}），请办理签注后重新核验",
        "The residence permit is not valid on {date} (it runs from {start} to {end}); "
        "please renew it and run the check again.",
    ),
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The conclusion of one check for one application.

    ``field`` names the declared field a mismatch concerns (``child_name``,
    ``guardians[1].id_number``, ``property_certificate_no`` …). ``facts`` holds
    what the department records established, as JSON: never ID numbers or
    names, but it may hold a resolved address (compound, building, unit, room),
    so store it as personal data. ``retryable`` marks a department that did
    not answer: run the check again before sending it to manual review.
    """

    check: CheckName
    status: CheckStatus
    reason_code: ReasonCode
    field: str | None
    message_zh: str
    message_en: str
    facts: Mapping[str, JSONValue] = dataclasses.field(default_factory=dict)
    retryable: bool = False

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "check": self.check.value,
            "status": self.status.value,
            "reason_code": self.reason_code.value,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "facts": dict(self.facts),
            "retryable": self.retryable,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> CheckResult:
        facts = data.get("facts") or {}
        field_name = data.get("field")
        if not isinstance(facts, dict) or not (field_name is None or isinstance(field_name, str)):
            raise ValueError("not a stored check result")
        return cls(
            check=CheckName(str(data["check"])),
            status=CheckStatus(str(data["status"])),
            reason_code=ReasonCode(str(data["reason_code"])),
            field=field_name,
            message_zh=str(data["message_zh"]),
            message_en=str(data["message_en"]),
            facts=facts,
            retryable=bool(data.get("retryable", False)),
        )


def conclude(
    check: CheckName,
    code: ReasonCode,
    *,
    field: str | None = None,
    facts: Mapping[str, JSONValue] | None = None,
    retryable: bool = False,
    words: Mapping[str, str | int] | None = None,
) -> CheckResult:
    """A result whose status and messages follow from its reason code.

    ``words`` fill the placeholders of the reason's message templates.
    """
    reason = REASONS[code]
    if words or code not in _WITHOUT_PLACEHOLDERS:
        message_zh = reason.zh.format(**(words or {}))
        message_en = reason.en.format(**(words or {}))
    else:  # formatting would return the templates unchanged
        message_zh, message_en = reason.zh, reason.en
    return CheckResult(
        check=check,
        status=reason.status,
        reason_code=code,
        field=field,
        message_zh=message_zh,
        message_en=message_en,
        facts=dict(facts or {}),
        retryable=retryable,
    )


_WITHOUT_PLACEHOLDERS = frozenset(
    code
    for code, reason in REASONS.items()
    if not any(brace in reason.zh + reason.en for brace in "{}")
)
