"""Every reason code, reached from a realistic situation, with its status and field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sunshine.engine.checks import (
    CHECKS,
    REASONS,
    CheckName,
    CheckResult,
    CheckStatus,
    Department,
    ReasonCode,
)
from sunshine.engine.checks.tests.city import (
    CONTEXT,
    FATHER_ID,
    HOME,
    PERMIT_NO,
    RENTAL_NO,
    STRANGER_ID,
    Recording,
    World,
    declaration,
)
from sunshine.engine.records import Declaration, GuardianDeclaration, PropertyOwner


@dataclass(frozen=True)
class Case:
    code: ReasonCode
    check: CheckName
    field: str | None
    arrange: Callable[[World], Declaration]


def _default(world: World) -> Declaration:
    return declaration()


def _migrant(world: World) -> Declaration:
    return declaration(
        property_certificate_no=None,
        rental_registration_no=RENTAL_NO,
        residence_permit_no=PERMIT_NO,
    )


def _wrong_check_digit(world: World) -> Declaration:
    child = declaration().child_id_number
    wrong = child[:17] + ("0" if child[17] != "0" else "1")
    return declaration(child_id_number=wrong)


def _mother_unregistered(world: World) -> Declaration:
    mother_id = declaration().guardians[1].id_number
    world.hukou = [record for record in world.hukou if record.id_number != mother_id]
    return declaration()


def _father_misnamed(world: World) -> Declaration:
    father, mother = declaration().guardians
    return declaration(guardians=(replace(father, name="李建华"), mother))


def _stranger_as_mother(world: World) -> Declaration:
    father, _ = declaration().guardians
    stranger = GuardianDeclaration("赵敏", STRANGER_ID, "13707360003", "母亲")
    return declaration(guardians=(father, stranger))


def _father_as_grandfather(world: World) -> Declaration:
    father, mother = declaration().guardians
    return declaration(guardians=(replace(father, relation="祖父"), mother))


def _aunt_as_other_guardian(world: World) -> Declaration:
    father, mother = declaration().guardians
    aunt = GuardianDeclaration("李建英", STRANGER_ID, "13707360004", "其他监护人")
    return declaration(guardians=(father, mother, aunt))


def _child_unregistered(world: World) -> Declaration:
    child_id = declaration().child_id_number
    world.hukou = [record for record in world.hukou if record.id_number != child_id]
    return declaration()


def _hukou_declared_elsewhere(world: World) -> Declaration:
    return declaration(hukou_address=HOME.replace("3栋", "5栋"))


def _hukou_in_ambiguous_compound(world: World) -> Declaration:
    child_id = declaration().child_id_number
    # 阳光小区 exists in both 武陵区 and 鼎城区; the record names neither district.
    ambiguous = "湖南省常德市阳光小区2栋1单元101室"
    world.hukou = [
        replace(record, address=ambiguous) if record.id_number == child_id else record
        for record in world.hukou
    ]
    return declaration(hukou_address=None)


def _property_address_unreadable(world: World) -> Declaration:
    world.properties = [
        replace(record, address=HOME.replace("锦绣华庭", "锦绣华廷")) for record in world.properties
    ]
    return declaration(property_address=None)


def _certificate_without_brackets(world: World) -> Declaration:
    return declaration(property_certificate_no="湘2021常德市不动产权第0012345号")


def _certificate_mistyped(world: World) -> Declaration:
    return declaration(property_certificate_no="湘(2021)常德市不动产权第0012346号")


def _shop(world: World) -> Declaration:
    world.properties = [replace(record, use="商业") for record in world.properties]
    return declaration()


def _strangers_flat(world: World) -> Declaration:
    owners = (PropertyOwner(STRANGER_ID, 100),)
    world.properties = [replace(record, owners=owners) for record in world.properties]
    return declaration()


def _property_declared_elsewhere(world: World) -> Declaration:
    return declaration(property_address=HOME.replace("3栋", "7栋"))


def _rental_mistyped(world: World) -> Declaration:
    return replace(_migrant(world), rental_registration_no="CDZL2024000872")


def _strangers_rental(world: World) -> Declaration:
    world.rentals = [replace(record, tenant_id=STRANGER_ID) for record in world.rentals]
    return _migrant(world)


def _rental_ended(world: World) -> Declaration:
    world.rentals = [replace(record, end_date=dt.date(2025, 2, 28)) for record in world.rentals]
    return _migrant(world)


def _no_contributions(world: World) -> Declaration:
    world.social_insurance = []
    return _migrant(world)


def _permit_mistyped(world: World) -> Declaration:
    return replace(_migrant(world), residence_permit_no="430702202400001235")


def _strangers_permit(world: World) -> Declaration:
    world.residence_permits = [
        replace(record, id_number=STRANGER_ID) for record in world.residence_permits
    ]
    return _migrant(world)


def _permit_expired(world: World) -> Declaration:
    world.residence_permits = [
        replace(record, valid_until=dt.date(2025, 3, 31)) for record in world.residence_permits
    ]
    return _migrant(world)


C = CheckName
R = ReasonCode
CASES = [
    Case(R.IDENTITY_VERIFIED, C.IDENTITY, None, _default),
    Case(R.ID_NUMBER_INVALID, C.IDENTITY, "child_id_number", _wrong_check_digit),
    Case(R.IDENTITY_NOT_FOUND, C.IDENTITY, "guardians[1].id_number", _mother_unregistered),
    Case(R.IDENTITY_NAME_MISMATCH, C.IDENTITY, "guardians[0].name", _father_misnamed),
    Case(R.GUARDIANSHIP_VERIFIED, C.GUARDIANSHIP, None, _default),
    Case(R.NO_GUARDIAN_DECLARED, C.GUARDIANSHIP, "guardians", lambda w: declaration(guardians=())),
    Case(R.GUARDIAN_NOT_LINKED, C.GUARDIANSHIP, "guardians[1].id_number", _stranger_as_mother),
    Case(
        R.GUARDIAN_RELATION_MISMATCH,
        C.GUARDIANSHIP,
        "guardians[0].relation",
        _father_as_grandfather,
    ),
    Case(
        R.GUARDIANSHIP_DOCUMENT_REQUIRED,
        C.GUARDIANSHIP,
        "guardians[2].relation",
        _aunt_as_other_guardian,
    ),
    Case(R.HUKOU_VERIFIED, C.HUKOU, None, _default),
    Case(R.HUKOU_NOT_FOUND, C.HUKOU, "child_id_number", _child_unregistered),
    Case(R.HUKOU_ADDRESS_MISMATCH, C.HUKOU, "hukou_address", _hukou_declared_elsewhere),
    Case(R.ADDRESS_AMBIGUOUS, C.HUKOU, None, _hukou_in_ambiguous_compound),
    Case(R.ADDRESS_UNRESOLVED, C.PROPERTY, None, _property_address_unreadable),
    Case(R.PROPERTY_VERIFIED, C.PROPERTY, None, _default),
    Case(
        R.PROPERTY_CERTIFICATE_FORMAT,
        C.PROPERTY,
        "property_certificate_no",
        _certificate_without_brackets,
    ),
    Case(R.PROPERTY_NOT_FOUND, C.PROPERTY, "property_certificate_no", _certificate_mistyped),
    Case(R.PROPERTY_NOT_RESIDENTIAL, C.PROPERTY, "property_certificate_no", _shop),
    Case(R.PROPERTY_OWNER_NOT_GUARDIAN, C.PROPERTY, "property_certificate_no", _strangers_flat),
    Case(R.PROPERTY_ADDRESS_MISMATCH, C.PROPERTY, "property_address", _property_declared_elsewhere),
    Case(R.RENTAL_VERIFIED, C.RENTAL, None, _migrant),
    Case(R.RENTAL_NOT_FOUND, C.RENTAL, "rental_registration_no", _rental_mistyped),
    Case(R.RENTAL_TENANT_NOT_GUARDIAN, C.RENTAL, "rental_registration_no", _strangers_rental),
    Case(R.RENTAL_NOT_VALID_ON_DATE, C.RENTAL, "rental_registration_no", _rental_ended),
    Case(R.SOCIAL_INSURANCE_VERIFIED, C.SOCIAL_INSURANCE, None, _migrant),
    Case(R.SOCIAL_INSURANCE_NOT_FOUND, C.SOCIAL_INSURANCE, None, _no_contributions),
    Case(R.RESIDENCE_PERMIT_VERIFIED, C.RESIDENCE_PERMIT, None, _migrant),
    Case(R.RESIDENCE_PERMIT_NOT_FOUND, C.RESIDENCE_PERMIT, "residence_permit_no", _permit_mistyped),
    Case(
        R.RESIDENCE_PERMIT_HOLDER_NOT_GUARDIAN,
        C.RESIDENCE_PERMIT,
        "residence_permit_no",
        _strangers_permit,
    ),
    Case(
        R.RESIDENCE_PERMIT_NOT_VALID_ON_DATE,
        C.RESIDENCE_PERMIT,
        "residence_permit_no",
        _permit_expired,
    ),
]


def _run(case: Case) -> CheckResult:
    world = World()
    declared = case.arrange(world)
    return CHECKS[case.check](declared, world.departments(), CONTEXT)


@pytest.mark.parametrize("case", CASES, ids=[case.code.value for case in CASES])
def test_situation_gives_its_reason_code_status_and_field(case: Case) -> None:
    result = _run(case)
    assert (result.check, result.reason_code, result.field) == (case.check, case.code, case.field)
    assert result.status is REASONS[case.code].status
    assert result.message_zh and result.message_en
    assert "{" not in result.message_zh + result.message_en, "a placeholder was left unfilled"


def test_every_reason_code_has_a_situation() -> None:
    reached = {case.code for case in CASES} | {ReasonCode.DEPARTMENT_UNAVAILABLE}
    assert reached == set(ReasonCode)


def test_every_verified_code_comes_only_with_verified_status() -> None:
    verified = {code for code, reason in REASONS.items() if reason.status is CheckStatus.VERIFIED}
    assert verified == {code for code in ReasonCode if code.value.endswith("_verified")}


_MIGRANT = {CheckName.RENTAL, CheckName.SOCIAL_INSURANCE, CheckName.RESIDENCE_PERMIT}


@pytest.mark.parametrize(
    ("check", "method", "department"),
    [
        (CheckName.IDENTITY, "hukou", Department.POLICE),
        (CheckName.GUARDIANSHIP, "birth", Department.BIRTH_REGISTRATION),
        (CheckName.HUKOU, "hukou", Department.POLICE),
        (CheckName.PROPERTY, "property", Department.REAL_ESTATE),
        (CheckName.RENTAL, "rental", Department.HOUSING),
        (CheckName.SOCIAL_INSURANCE, "social_insurance", Department.SOCIAL_INSURANCE),
        (CheckName.RESIDENCE_PERMIT, "residence_permit", Department.POLICE),
    ],
)
def test_department_outage_is_a_retryable_review_naming_the_department(
    check: CheckName, method: str, department: Department
) -> None:
    world = World()
    departments = Recording(world.departments(), down={method: department})
    result = CHECKS[check](
        _migrant(world) if check in _MIGRANT else declaration(), departments, CONTEXT
    )
    assert result.status is CheckStatus.NEEDS_REVIEW
    assert result.reason_code is ReasonCode.DEPARTMENT_UNAVAILABLE
    assert result.retryable
    assert department.label_zh in result.message_zh
    assert "无需重复提交" in result.message_zh


def test_only_an_outage_is_retryable() -> None:
    assert not any(_run(case).retryable for case in CASES)


def test_stored_result_reads_back_identically() -> None:
    for case in CASES:
        result = _run(case)
        assert CheckResult.from_json(result.to_json()) == result


def test_facts_never_hold_id_numbers_or_names() -> None:
    for case in CASES:
        stored = repr(_run(case).to_json())
        assert FATHER_ID not in stored and STRANGER_ID not in stored
        assert "李建国" not in stored and "王丽" not in stored


def _documented_rows() -> dict[str, str]:
    """Reason codes and Chinese messages from the reason table of docs/verification.md."""
    docs = Path(__file__).resolve().parents[4] / "docs" / "verification.md"
    text = docs.read_text(encoding="utf-8")
    section = text.split("\n## Reason codes\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"`[a-z_]+`", cells[0]):
            rows[cells[0].strip("`")] = cells[2]
    return rows


def test_documentation_lists_every_reason_code_with_its_message() -> None:
    rows = _documented_rows()
    assert set(rows) == {code.value for code in ReasonCode}
    for code, reason in REASONS.items():
        assert rows[code.value] == reason.zh, code


def test_mistyped_certificate_tells_the_parent_to_check_it() -> None:
    result = _run(next(case for case in CASES if case.code is ReasonCode.PROPERTY_NOT_FOUND))
    assert result.message_zh == "不动产权证号与登记信息不一致，请核对证书编号"
