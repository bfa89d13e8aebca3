"""A family corrects what it declared; only its own checks run again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.applications.models import Application, Status
from sunshine.audit.chain import fingerprint
from sunshine.audit.models import AuditEvent
from sunshine.audit.services import Actor
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.models import VerificationCheck
from sunshine.verification.services import correct_and_recheck, verify_round
from sunshine.verification.settling import queries_in
from sunshine.verification.tests import builders as b

pytestmark = pytest.mark.django_db
PARENT = Actor(name="guardian:1", role="parent")


@pytest.fixture
def verified():
    city = b.city()
    mistyped = b.family(
        city, home=b.flat("C1", 4, 1, 301), declared_certificate=b.certificate(9999)
    )
    bystander = b.family(city, home=b.flat("C1", 3, 2, 501))
    b.import_records(mistyped, bystander)
    verify_round(Actor.system("verification"), city.round, records=ExtractRecords())
    return city, mistyped, bystander


def test_correcting_the_certificate_number_reruns_the_checks_and_lifts_the_category(verified):
    _, mistyped, bystander = verified
    before = Application.objects.get(pk=mistyped.application.pk)
    assert before.category.category == 2
    old_declaration = before.declaration
    other_checked = set(bystander.application.checks.values_list("checked_at", flat=True))

    after = correct_and_recheck(
        PARENT, before, {"property_certificate_no": mistyped.properties[0].certificate_no}
    )

    assert after.status == Status.VERIFIED
    assert Application.objects.get(pk=after.pk).category.category == 1
    assert after.checks.get(check_name="property").reason_code == "property_verified"
    assert set(bystander.application.checks.values_list("checked_at", flat=True)) == other_checked
    corrected = AuditEvent.objects.get(action="application.corrected")
    assert corrected.data["fields"] == ["property_certificate_no"]
    assert corrected.data["old_declaration_sha256"] == fingerprint(old_declaration)
    assert corrected.data["new_declaration_sha256"] == fingerprint(after.declaration)
    (rechecked,) = AuditEvent.objects.filter(
        action="department.queried", data__purpose="家长更正后重新核验"
    )
    assert queries_in(rechecked.data, after.pk)
    assert not queries_in(rechecked.data, bystander.application.pk)


def test_a_guardian_id_number_is_validated_before_any_department_is_asked(verified):
    _, mistyped, _ = verified
    application = Application.objects.get(pk=mistyped.application.pk)
    queried = AuditEvent.objects.filter(action="department.queried").count()
    wrong_digit = mistyped.declaration.guardians[0].id_number[:-1] + "0"
    if wrong_digit == mistyped.declaration.guardians[0].id_number:
        wrong_digit = wrong_digit[:-1] + "1"
    with pytest.raises(ValidationError) as refused:
        correct_and_recheck(PARENT, application, {"guardians[0].id_number": wrong_digit})
    assert "guardians[0].id_number" in refused.value.message_dict
    assert "校验" in refused.value.message_dict["guardians[0].id_number"][0]
    assert AuditEvent.objects.filter(action="department.queried").count() == queried
    assert Application.objects.get(pk=application.pk).declaration == application.declaration


def test_each_bad_field_is_named_and_nothing_is_written(verified):
    _, mistyped, _ = verified
    application = Application.objects.get(pk=mistyped.application.pk)
    with pytest.raises(ValidationError) as refused:
        correct_and_recheck(
            PARENT,
            application,
            {
                "property_certificate_no": "常德房权证第12345号",
                "guardians[0].relation": "邻居",
                "guardians[3].name": "王五",
                "zone_school": "P2",
                "child_name": " ",
            },
        )
    problems = refused.value.message_dict
    assert set(problems) == {
        "property_certificate_no",
        "guardians[0].relation",
        "guardians[3].name",
        "zone_school",
        "child_name",
    }
    assert "格式不正确" in problems["property_certificate_no"][0]
    assert not AuditEvent.objects.filter(action="application.corrected").exists()


def test_the_same_values_again_are_not_a_correction(verified):
    _, mistyped, _ = verified
    application = Application.objects.get(pk=mistyped.application.pk)
    same = application.declaration["property_certificate_no"]
    with pytest.raises(ValidationError, match="没有需要更正的内容"):
        correct_and_recheck(PARENT, application, {"property_certificate_no": same})


def test_withdrawing_the_property_leaves_the_category_to_the_hukou(verified):
    _, mistyped, _ = verified
    application = Application.objects.get(pk=mistyped.application.pk)
    after = correct_and_recheck(
        PARENT, application, {"property_certificate_no": "", "property_address": ""}
    )
    assert not after.checks.filter(check_name="property").exists()
    assert Application.objects.get(pk=after.pk).category.category == 2


def test_no_correction_after_verification_has_ended(verified):
    city, mistyped, _ = verified
    application = Application.objects.get(pk=mistyped.application.pk)
    late = city.round.verification_ends + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="核验期已结束"):
        correct_and_recheck(PARENT, application, {"property_address": "x"}, now=late)
    application.status = Status.ADMITTED
    with pytest.raises(ValidationError, match="录取阶段"):
        correct_and_recheck(PARENT, application, {"property_address": "x"}, now=timezone.now())
    assert VerificationCheck.objects.filter(application=application).count() == 4
