"""Behaviour of each check beyond its reason codes: what is asked, what is tolerated."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from sunshine.engine.checks import (
    CheckName,
    CheckStatus,
    Department,
    ReasonCode,
    applicable_checks,
    canonical_certificate_no,
    check_guardianship,
    check_hukou,
    check_identity,
    check_property,
    check_rental,
    check_residence_permit,
    check_social_insurance,
    parse_certificate_no,
    run_checks,
)
from sunshine.engine.checks.tests.city import (
    CERTIFICATE,
    CHILD_ID,
    CONTEXT,
    FAR_AWAY,
    FATHER_ID,
    GRANDFATHER_ID,
    GRANDPARENTS_HOME,
    MOTHER_ID,
    PERMIT_NO,
    REFERENCE_DATE,
    RENTAL_NO,
    STRANGER_ID,
    Recording,
    World,
    declaration,
)
from sunshine.engine.idnumber import compose
from sunshine.engine.records import Declaration, GuardianDeclaration, HukouRecord, PropertyOwner


def _migrant(**changes: object) -> Declaration:
    return declaration(
        property_certificate_no=None,
        rental_registration_no=RENTAL_NO,
        residence_permit_no=PERMIT_NO,
        **changes,
    )


# Identity


def test_every_id_number_is_checked_for_form_before_the_register_is_asked() -> None:
    father, mother = declaration().guardians
    broken = replace(mother, id_number=mother.id_number[:-1])
    departments = Recording(World().departments())
    result = check_identity(declaration(guardians=(father, broken)), departments, CONTEXT)
    assert result.reason_code is ReasonCode.ID_NUMBER_INVALID
    assert result.field == "guardians[1].id_number"
    assert "18位" in result.message_zh and "监护人（母亲）" in result.message_zh
    assert departments.asked == []


def test_child_born_after_the_reference_date_has_an_invalid_id_number() -> None:
    unborn = compose("430702", REFERENCE_DATE + dt.timedelta(days=1), 11)
    result = check_identity(declaration(child_id_number=unborn), World().departments(), CONTEXT)
    assert result.reason_code is ReasonCode.ID_NUMBER_INVALID
    assert result.facts["problem"] == "birth_date"


def test_id_number_typed_in_full_width_with_lower_case_x_is_accepted() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in CHILD_ID)
    result = check_identity(
        declaration(child_id_number=full_width.lower()), World().departments(), CONTEXT
    )
    assert result.status is CheckStatus.VERIFIED


def test_minority_names_match_whatever_middle_dot_was_typed() -> None:
    world = World()
    world.hukou = [
        replace(record, name="阿依古丽·买买提") if record.id_number == MOTHER_ID else record
        for record in world.hukou
    ]
    father, mother = declaration().guardians
    typed = replace(mother, name="阿依古丽•买买提")
    result = check_identity(declaration(guardians=(father, typed)), world.departments(), CONTEXT)
    assert result.status is CheckStatus.VERIFIED


def test_identity_messages_name_the_person_by_role_not_by_name() -> None:
    father, mother = declaration().guardians
    result = check_identity(
        declaration(guardians=(replace(father, name="李建华"), mother)),
        World().departments(),
        CONTEXT,
    )
    assert result.message_zh.startswith("监护人（父亲）的姓名")
    assert "李建" not in result.message_zh and "the guardian (father)" in result.message_en


# Guardianship


def _with_grandparents(world: World) -> None:
    """The child's hukou is in the grandfather's household, and no birth record is on file."""
    world.births = []
    world.hukou = [record for record in world.hukou if record.id_number != CHILD_ID]
    world.hukou.append(
        HukouRecord(
            CHILD_ID, "李子涵", GRANDPARENTS_HOME, dt.date(2019, 4, 2), GRANDFATHER_ID, "孙子"
        )
    )


def test_grandparent_is_linked_through_the_household_register() -> None:
    world = World()
    _with_grandparents(world)
    grandfather = GuardianDeclaration("李德华", GRANDFATHER_ID, "13607360005", "祖父")
    result = check_guardianship(declaration(guardians=(grandfather,)), world.departments(), CONTEXT)
    assert result.status is CheckStatus.VERIFIED
    assert result.facts["links"] == [{"guardian": 0, "via": "household"}]


def test_household_relation_must_fit_the_sex_in_the_id_number() -> None:
    world = World()
    _with_grandparents(world)
    grandfather = GuardianDeclaration("李德华", GRANDFATHER_ID, "13607360005", "祖母")
    result = check_guardianship(declaration(guardians=(grandfather,)), world.departments(), CONTEXT)
    assert result.reason_code is ReasonCode.GUARDIAN_RELATION_MISMATCH
    assert "祖父或外祖父" in result.message_zh


def test_an_uncle_heading_the_household_proves_no_guardianship() -> None:
    world = World()
    world.births = []
    world.hukou = [
        replace(record, household_head_id=STRANGER_ID, relation_to_head="侄子")
        if record.id_number == CHILD_ID
        else record
        for record in world.hukou
    ]
    uncle = GuardianDeclaration("赵敏", STRANGER_ID, "13707360003", "父亲")
    result = check_guardianship(declaration(guardians=(uncle,)), world.departments(), CONTEXT)
    assert result.reason_code is ReasonCode.GUARDIAN_NOT_LINKED


def test_parents_on_the_birth_record_need_no_household_query() -> None:
    departments = Recording(World().departments())
    result = check_guardianship(declaration(), departments, CONTEXT)
    assert result.status is CheckStatus.VERIFIED
    assert departments.asked == [("birth", CHILD_ID)]


def test_guardians_who_are_linked_stay_linked_when_another_is_not() -> None:
    father, _ = declaration().guardians
    stranger = GuardianDeclaration("赵敏", STRANGER_ID, "13707360003", "母亲")
    result = check_guardianship(
        declaration(guardians=(father, stranger)), World().departments(), CONTEXT
    )
    assert result.reason_code is ReasonCode.GUARDIAN_NOT_LINKED
    assert result.facts["linked_guardians"] == [0]


# Hukou


def test_hukou_outside_the_city_is_verified_and_marked_as_not_local() -> None:
    world = World()
    world.hukou = [
        replace(record, address=FAR_AWAY) if record.id_number == CHILD_ID else record
        for record in world.hukou
    ]
    result = check_hukou(declaration(hukou_address=FAR_AWAY), world.departments(), CONTEXT)
    assert result.status is CheckStatus.VERIFIED
    address = result.facts["address"]
    assert isinstance(address, dict)
    assert address["local"] is False and address["compound_id"] is None


@pytest.mark.parametrize(
    "declared",
    [
        "锦绣华庭3栋2单元501室",
        "常德市武陵区锦绣华庭３幢２单元",
        "朗州路123号锦绣华庭3号楼",
        "锦绣花园 3-2-501",
    ],
)
def test_declared_hukou_address_may_be_shorter_or_spelled_differently(declared: str) -> None:
    result = check_hukou(declaration(hukou_address=declared), World().departments(), CONTEXT)
    assert result.status is CheckStatus.VERIFIED


def test_declared_hukou_address_with_another_room_is_a_mismatch() -> None:
    result = check_hukou(
        declaration(hukou_address="锦绣华庭3栋2单元502室"), World().departments(), CONTEXT
    )
    assert result.reason_code is ReasonCode.HUKOU_ADDRESS_MISMATCH


def test_unreadable_hukou_address_in_this_city_goes_to_review() -> None:
    world = World()
    world.hukou = [
        replace(record, address="湖南省常德市武陵区丹阳街道丹阳社区某某单位宿舍")
        if record.id_number == CHILD_ID
        else record
        for record in world.hukou
    ]
    result = check_hukou(declaration(hukou_address=None), world.departments(), CONTEXT)
    assert result.reason_code is ReasonCode.ADDRESS_UNRESOLVED
    assert result.message_zh.startswith("户籍登记中的地址")


# Property


@pytest.mark.parametrize(
    "number",
    [
        "常房权证武陵字第00012345号",  # an ownership certificate from before 2015
        "湘(2014)常德市不动产权第0012345号",  # before unified registration began
        "湘(2026)常德市不动产权第0012345号",  # after the reference date's year
        "湘(2021)常德市不动产权第012345号",  # six digits
        "湘(2021)常德市不动产证明第0012345号",  # a registration proof, not a certificate
        "",
    ],
)
def test_malformed_certificate_is_refused_without_asking_the_register(number: str) -> None:
    departments = Recording(World().departments())
    result = check_property(declaration(property_certificate_no=number), departments, CONTEXT)
    assert result.reason_code is ReasonCode.PROPERTY_CERTIFICATE_FORMAT
    assert departments.asked == []


def test_certificate_with_full_width_brackets_and_spaces_is_looked_up_in_canonical_form() -> None:
    departments = Recording(World().departments())
    typed = "湘（２０２１）常德市 不动产权第００１２３４５号"
    result = check_property(declaration(property_certificate_no=typed), departments, CONTEXT)
    assert result.status is CheckStatus.VERIFIED
    assert departments.asked == [("property", CERTIFICATE)]


def test_certificate_parts_are_read() -> None:
    parsed = parse_certificate_no(
        "湘〔2023〕津市市不动产权第0000001号", reference_date=REFERENCE_DATE
    )
    assert parsed is not None
    assert (parsed.province, parsed.year, parsed.registry, parsed.serial) == (
        "湘",
        2023,
        "津市市",
        "0000001",
    )
    assert canonical_certificate_no(" 湘（2023）津市市不动产权第0000001号 ") == str(parsed)


def test_home_registered_to_the_child_counts() -> None:
    world = World()
    world.properties = [
        replace(record, owners=(PropertyOwner(CHILD_ID, 100),)) for record in world.properties
    ]
    result = check_property(declaration(), world.departments(), CONTEXT)
    assert result.status is CheckStatus.VERIFIED
    assert result.facts["owned_by_child"] is True and result.facts["owner_guardians"] == []


@pytest.mark.parametrize(
    ("use", "counts"),
    [("城镇住宅用地/成套住宅", True), ("住宅", True), ("非住宅", False), ("车库", False)],
)
def test_only_residential_use_counts(use: str, counts: bool) -> None:
    world = World()
    world.properties = [replace(record, use=use) for record in world.properties]
    result = check_property(declaration(), world.departments(), CONTEXT)
    assert (result.status is CheckStatus.VERIFIED) is counts


# Rental and residence permit


@pytest.mark.parametrize(
    ("start", "end", "valid"),
    [
        (REFERENCE_DATE, dt.date(2026, 1, 1), True),
        (dt.date(2024, 1, 1), REFERENCE_DATE, True),
        (REFERENCE_DATE + dt.timedelta(days=1), dt.date(2026, 1, 1), False),
        (dt.date(2024, 1, 1), REFERENCE_DATE - dt.timedelta(days=1), False),
    ],
)
def test_rental_must_be_valid_on_the_reference_date_inclusive(
    start: dt.date, end: dt.date, valid: bool
) -> None:
    world = World()
    world.rentals = [replace(r, start_date=start, end_date=end) for r in world.rentals]
    result = check_rental(_migrant(), world.departments(), CONTEXT)
    assert (result.status is CheckStatus.VERIFIED) is valid


def test_rental_records_whole_months_registered_by_the_reference_date() -> None:
    result = check_rental(_migrant(), World().departments(), CONTEXT)
    # Registered 2023-03-01; by 2025-05-20 that is 2 years and 2 months.
    assert result.facts["months_registered"] == 26


@pytest.mark.parametrize(
    ("valid_until", "valid"),
    [(REFERENCE_DATE, True), (REFERENCE_DATE - dt.timedelta(days=1), False)],
)
def test_residence_permit_must_be_valid_on_the_reference_date(
    valid_until: dt.date, valid: bool
) -> None:
    world = World()
    world.residence_permits = [
        replace(permit, valid_until=valid_until) for permit in world.residence_permits
    ]
    result = check_residence_permit(_migrant(), world.departments(), CONTEXT)
    assert (result.status is CheckStatus.VERIFIED) is valid
    if not valid:
        assert "2025-05-20" in result.message_zh


def test_social_insurance_reports_each_guardian_and_the_longest() -> None:
    result = check_social_insurance(_migrant(), World().departments(), CONTEXT)
    assert result.facts["months_by_guardian"] == [
        {"guardian": 0, "months": 30},
        {"guardian": 1, "months": 14},
    ]
    assert "30个月" in result.message_zh


def test_social_insurance_outage_for_one_guardian_is_not_an_undercount() -> None:
    departments = Recording(
        World().departments(),
        down={"social_insurance": Department.SOCIAL_INSURANCE},
        should_fail=lambda method, key: key == MOTHER_ID,
    )
    result = check_social_insurance(_migrant(), departments, CONTEXT)
    assert result.reason_code is ReasonCode.DEPARTMENT_UNAVAILABLE
    assert ("social_insurance", FATHER_ID) in departments.asked


# Which checks run


def test_applicable_checks_follow_what_the_family_declared() -> None:
    always = (CheckName.IDENTITY, CheckName.GUARDIANSHIP, CheckName.HUKOU)
    owner = declaration()
    migrant = _migrant()
    nothing = declaration(property_certificate_no=None, property_address=None)
    assert applicable_checks(owner) == (*always, CheckName.PROPERTY)
    assert applicable_checks(migrant) == (
        *always,
        CheckName.RENTAL,
        CheckName.SOCIAL_INSURANCE,
        CheckName.RESIDENCE_PERMIT,
    )
    assert applicable_checks(nothing) == always


def test_run_checks_can_rerun_a_single_check() -> None:
    results = run_checks(declaration(), World().departments(), CONTEXT, only=[CheckName.PROPERTY])
    assert [result.check for result in results] == [CheckName.PROPERTY]
    assert results[0].facts["address"] == {
        "status": "resolved",
        "reason": "matched",
        "compound_id": "jxht",
        "building": 3,
        "unit": 2,
        "room": "501",
        "building_count": 12,
        "candidates": [],
        "local": True,
    }
