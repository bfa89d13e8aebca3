import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sunshine import testing
from sunshine.applications import services
from sunshine.applications.models import Application, Child, Status
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.engine.idnumber import compose
from sunshine.engine.records import Declaration, GuardianDeclaration
from sunshine.notifications.models import OutboxMessage

PARENT = Actor("parent", "parent")
CHILD_ID = compose("430702", dt.date(2018, 3, 9), 123)
FATHER_ID = compose("430702", dt.date(1988, 5, 1), 11)
FATHER = services.GuardianInput("王强", FATHER_ID, "13800001111", "父亲")


def _declaration(child_id: str = CHILD_ID) -> Declaration:
    return Declaration(
        child_name="王小明",
        child_id_number=child_id,
        guardians=(GuardianDeclaration("王强", FATHER_ID, "13800001111", "父亲"),),
        residence_address="湖南省常德市武陵区某街道某社区某路1号某小区1栋1单元101室",
    )


def _register() -> Child:
    return services.register_child(
        PARENT, name="王小明", id_number=CHILD_ID, guardians=[FATHER], today=dt.date(2024, 7, 1)
    )


@pytest.mark.django_db
def test_a_child_is_registered_with_birth_date_and_sex_from_the_id_number():
    child = _register()
    assert child.birth_date == dt.date(2018, 3, 9)
    assert child.sex == "M"
    assert child.guardians.get().name == "王强"
    assert AuditEvent.objects.filter(action="child.registered").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (CHILD_ID[:-1] + ("0" if CHILD_ID[-1] != "0" else "1"), "校验位"),
        ("43070220180309", "18位"),
        ("430702201802301234", "出生日期"),
    ],
)
def test_a_bad_id_number_is_refused_with_the_reason_and_nothing_saved(id_number, message):
    with pytest.raises(ValidationError) as refused:
        services.register_child(PARENT, name="王小明", id_number=id_number, guardians=[FATHER])
    assert message in str(refused.value.message_dict["id_number"])
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_bad_phone_names_the_guardian_field():
    wrong = services.GuardianInput("王强", FATHER_ID, "1380000111", "父亲")
    with pytest.raises(ValidationError) as refused:
        services.register_child(PARENT, name="王小明", id_number=CHILD_ID, guardians=[wrong])
    assert "guardians.0.phone" in refused.value.message_dict


@pytest.mark.django_db
def test_registering_the_same_child_twice_is_refused():
    _register()
    with pytest.raises(ValidationError):
        _register()


@pytest.mark.django_db
def test_a_registration_racing_another_for_the_same_child_is_refused_cleanly(monkeypatch):
    _register()
    # The race: the second registration checked before the first one committed.
    monkeypatch.setattr("django.db.models.query.QuerySet.exists", lambda self: False)
    with pytest.raises(ValidationError) as refused:
        _register()
    assert refused.value.message_dict == {"id_number": [services.ALREADY_REGISTERED]}
    assert Child.objects.count() == 1


@pytest.mark.django_db
def test_a_double_tap_creates_one_application_and_one_sms():
    round_ = testing.round_(open_now=True)
    child = _register()
    first = services.submit_application(
        PARENT, round_=round_, child=child, declaration=_declaration(), idempotency_key="tap-1"
    )
    again = services.submit_application(
        PARENT, round_=round_, child=child, declaration=_declaration(), idempotency_key="tap-1"
    )
    assert first.pk == again.pk
    assert Application.objects.count() == 1
    assert OutboxMessage.objects.filter(template_id="SUBMITTED").count() == 1
    assert first.declaration["child_id_number"] == CHILD_ID


@pytest.mark.django_db
def test_an_application_can_be_edited_until_checked_then_not():
    round_ = testing.round_(open_now=True)
    child = _register()
    application = services.submit_application(
        PARENT, round_=round_, child=child, declaration=_declaration()
    )
    edited = services.submit_application(
        PARENT, round_=round_, child=child, declaration=_declaration()
    )
    assert edited.pk == application.pk
    Application.objects.filter(pk=application.pk).update(status=Status.VERIFIED)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.submit_application(PARENT, round_=round_, child=child, declaration=_declaration())


@pytest.mark.django_db
def test_a_closed_round_refuses_submissions():
    round_ = testing.round_()  # July 2024, long closed
    child = _register()
    with pytest.raises(ValidationError, match="报名已截止"):
        services.submit_application(PARENT, round_=round_, child=child, declaration=_declaration())


@pytest.mark.django_db
def test_a_declaration_for_another_child_is_refused():
    round_ = testing.round_(open_now=True)
    child = _register()
    other = compose("430702", dt.date(2018, 4, 1), 21)
    with pytest.raises(ValidationError) as refused:
        services.submit_application(
            PARENT, round_=round_, child=child, declaration=_declaration(other)
        )
    assert "child_id_number" in refused.value.message_dict


@pytest.mark.django_db
def test_withdrawal_is_possible_before_verification():
    round_ = testing.round_(open_now=True)
    child = _register()
    application = services.submit_application(
        PARENT, round_=round_, child=child, declaration=_declaration()
    )
    assert services.withdraw_application(PARENT, application).status == Status.WITHDRAWN
