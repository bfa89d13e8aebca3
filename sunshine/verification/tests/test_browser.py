"""The school's offline-check worklist and a family's review request, on a phone in Chromium."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from sunshine.accounts.models import Role, User
from sunshine.applications.models import Application, Status
from sunshine.audit.services import Actor
from sunshine.verification.connectors import ExtractRecords
from sunshine.verification.models import CaseStatus, ReviewCase, ReviewDocument
from sunshine.verification.services import verify_round
from sunshine.verification.tests import builders as b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def families(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    city = b.city()
    owner = b.family(city, home=b.flat("C1", 3, 2, 501))
    elsewhere = b.family(
        city, home=b.flat("C1", 5, 1, 101), hukou_at=b.flat("C2", 1, 1, 101), owns_home=False
    )
    b.import_records(owner, elsewhere)
    verify_round(Actor.system("verification"), city.round, records=ExtractRecords())
    return city, owner, elsewhere


def _log_in(page, user):
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}
    page.context.add_cookies([cookie])


def test_a_teacher_decides_a_home_visit_on_a_phone(phone, families, tmp_path):
    city, _, elsewhere = families
    teacher = User.objects.create_user(username="t", password="x", role=Role.SCHOOL, school=city.p1)
    _log_in(phone, teacher)
    phone.goto(phone.base_url + "/console/verification/?kind=offline_check")
    phone.screenshot(path=tmp_path / "worklist.png", full_page=True)
    phone.get_by_role("link", name=elsewhere.application.reference).click()
    phone.get_by_label("核查情况").fill("入户核实：一家三口实际居住")
    phone.get_by_role("button", name="保存记录").click()
    phone.get_by_label("理由（家长可见）").fill("入户核实在片区内实际居住")
    phone.get_by_role("button", name="提交决定").click()
    assert "已作出决定" in phone.locator(".messages li").last.inner_text()
    phone.screenshot(path=tmp_path / "case.png", full_page=True)
    assert Application.objects.get(pk=elsewhere.application.pk).status == Status.VERIFIED
    case = ReviewCase.objects.get(application=elsewhere.application)
    assert case.status == CaseStatus.DECIDED and case.visits.get().visited_on == dt.date.today()


def test_a_parent_asks_for_review_with_a_photo(phone, families, tmp_path):
    _, owner, _ = families
    parent = User.objects.create_user(username="p", password="x", role=Role.PARENT)
    owner.guardian.user = parent
    owner.guardian.save()
    _log_in(phone, parent)
    phone.goto(phone.base_url + f"/console/verification/family/{owner.application.reference}/")
    phone.get_by_label("说明").fill("2010年的房屋所有权证，请人工审核")
    photo = tmp_path / "certificate.png"
    photo.write_bytes(PNG)
    phone.get_by_label("材料（可选）").set_input_files(str(photo))
    phone.get_by_role("button", name="提交申请").click()
    assert "已提交人工审核申请" in phone.locator(".messages li").last.inner_text()
    phone.screenshot(path=tmp_path / "family.png", full_page=True)
    assert ReviewDocument.objects.get().content_type == "image/png"
    assert phone.get_by_role("link", name="我上传的材料").count() == 1
