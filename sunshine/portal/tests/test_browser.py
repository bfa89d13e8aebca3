"""The whole parent journey in a real Chromium, 360 px wide, as on a small phone.

Log in with an SMS code (read from the file backend), add a child, apply with a
mistyped property certificate number, see the check fail after verification,
correct it, see the result after admission, download the admission notice and
check it through its QR link. Screenshots and the notice go to ``tmp_path``.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sunshine.admissions import services as admissions
from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application, Status
from sunshine.portal import notice
from sunshine.portal.tests import world as w
from sunshine.verification.services import verify_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Controls smaller than this are hard to hit with a thumb (WCAG 2.5.5 target size).
TAP_PX = 44
UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name)"""
SMALL_TARGETS = """(limit) => [...document.querySelectorAll(
    'main button, main input:not([type=hidden]), main select, main .button, header nav a')]
  .filter(el => el.offsetParent !== null)
  .filter(el => el.type !== 'checkbox' && el.type !== 'radio')
  .filter(el => el.getBoundingClientRect().height < limit)
  .map(el => el.name || el.textContent.trim())"""


def shoot(page, tmp_path, name):
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)


def check_accessible(page):
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(SMALL_TARGETS, TAP_PX) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_parent_applies_fails_a_check_corrects_it_and_downloads_the_notice(phone, tmp_path):
    city = w.world()
    fam = w.family()
    base = phone.base_url
    mistyped = fam.certificate.replace("第0", "第9")

    phone.goto(base + "/")
    phone.get_by_role("link", name="家长登录报名").click()
    phone.get_by_label("手机号码").fill(fam.phone)
    phone.get_by_role("button", name="获取验证码").click()
    assert "验证码已发送至" in phone.locator("main").inner_text()
    check_accessible(phone)
    shoot(phone, tmp_path, "01-login")
    phone.get_by_label("短信验证码").fill(w.last_code_in_file())
    phone.get_by_role("button", name="登录", exact=True).click()
    assert phone.locator("h1").inner_text() == "我的孩子和申请"
    assert fam.phone not in phone.url

    phone.get_by_role("link", name="添加孩子").click()
    phone.get_by_label("孩子姓名").fill(fam.child_name)
    phone.get_by_label("孩子身份证号码").fill(fam.child_id)
    assert "2018-03-01" in phone.locator("#id-preview").inner_text()
    phone.get_by_label("您的姓名").fill(fam.parent_name)
    phone.get_by_label("您的身份证号码").fill(fam.parent_id)
    phone.get_by_label("您与孩子的关系").select_option("父亲")
    check_accessible(phone)
    shoot(phone, tmp_path, "02-add-child")
    phone.get_by_role("button", name="下一步：核对").click()
    assert "2018-03-01" in phone.locator("dl").inner_text()
    shoot(phone, tmp_path, "03-confirm-child")
    phone.get_by_role("button", name="确认添加").click()
    assert phone.locator("h1").inner_text() == fam.child_name

    phone.get_by_role("button", name="开始报名").click()
    phone.get_by_label("实际居住地址").fill(w.HOME)
    # Autosave answers with the zone school while the parent is still typing.
    phone.locator("[data-zone]").get_by_text(city.zone_school.name).wait_for()
    check_accessible(phone)
    shoot(phone, tmp_path, "04-address")
    # A closed tab loses nothing: a fresh page shows what was typed.
    other = phone.context.new_page()
    other.goto(phone.url)
    assert other.get_by_label("实际居住地址").input_value() == w.HOME
    other.close()
    phone.get_by_role("button", name="保存，下一步").click()

    phone.get_by_text("自有住房").click()
    phone.get_by_label("不动产权证号").fill(mistyped)
    check_accessible(phone)
    shoot(phone, tmp_path, "05-housing")
    phone.get_by_role("button", name="保存，下一步").click()

    assert "估计录取机会" in phone.locator("ul.options").inner_text()
    phone.get_by_label("第1志愿").select_option(city.private_school.code)
    check_accessible(phone)
    shoot(phone, tmp_path, "06-choices")
    phone.get_by_role("button", name="保存，下一步").click()

    assert city.zone_school.name in phone.locator("main").inner_text()
    phone.get_by_label(re.compile("我是孩子的监护人")).check()
    check_accessible(phone)
    shoot(phone, tmp_path, "07-review")
    phone.get_by_role("button", name="提交申请").click()
    assert "申请已提交" in phone.locator(".messages").inner_text()
    application = Application.objects.get()
    assert application.status == Status.SUBMITTED
    shoot(phone, tmp_path, "08-submitted")

    # Registration closes; the departments' records do not know the mistyped certificate.
    w.close_registration(city.round)
    verify_round(w.BUREAU, city.round)
    phone.reload()
    failed = phone.locator(".check-line.tone-bad")
    assert "不动产权证号与登记信息不一致" in failed.inner_text()
    check_accessible(phone)
    shoot(phone, tmp_path, "09-check-failed")

    failed.get_by_role("button", name="更正房产信息").click()
    phone.get_by_label("不动产权证号").fill(fam.certificate)
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_label(re.compile("我是孩子的监护人")).check()
    phone.get_by_role("button", name="提交更正并重新核验").click()
    assert "更正已提交" in phone.locator(".messages").inner_text()
    assert phone.locator(".check-line.tone-bad").count() == 0
    assert "第一类" in phone.locator("#s-category").locator("..").inner_text()
    shoot(phone, tmp_path, "10-corrected")

    run = admissions.preview_admission(w.BUREAU, city.round, sources=w.SOURCES)
    admissions.commit_admission(w.BUREAU, run)
    phone.reload()
    result = phone.locator("main").inner_text()
    assert "已录取" in result and city.private_school.name in result
    check_accessible(phone)
    shoot(phone, tmp_path, "11-admitted")

    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载录取通知书（PDF）").click()
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    phone.get_by_role("button", name="确认就读").click()
    application.refresh_from_db()
    assert application.status == Status.ENROLLED

    token = notice.notice_token(placement_of(application))
    phone.goto(base + reverse("portal:notice_check", args=[token]))
    page = phone.locator("main").inner_text()
    assert "真实有效" in page and fam.child_name not in page and fam.child_name[0] + "*" in page
    shoot(phone, tmp_path, "12-notice-check")


def test_typing_offline_is_kept_on_the_phone_and_saved_when_back_online(phone):
    city = w.world()
    fam = w.family(import_records=False)
    user = w.parent_user(fam.phone)
    from sunshine.audit.services import Actor
    from sunshine.portal import services

    child = services.add_child(
        Actor("p", "parent"),
        user,
        name=fam.child_name,
        id_number=fam.child_id,
        parent=services.ParentInput(fam.parent_name, fam.parent_id, "父亲"),
    )
    draft = services.open_draft(Actor("p", "parent"), user, child, city.round)
    session = phone.context
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    session.add_cookies([{"name": "sessionid", "value": cookie.value, "url": phone.base_url}])
    url = phone.base_url + reverse("portal:step", args=[draft.pk, "address"])
    phone.goto(url)
    session.set_offline(True)
    phone.get_by_label("实际居住地址").fill(w.HOME)
    phone.get_by_text("已先保存在本机").wait_for()
    session.set_offline(False)
    phone.get_by_text("草稿已自动保存").wait_for()
    draft.refresh_from_db()
    assert draft.data["residence_address"] == w.HOME
