"""A lottery ceremony in a real Chromium: two bureau typists on phones, a projector in the hall."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.admissions.models import Ceremony
from sunshine.engine.lottery.record import verify_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_with_applicants(db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=2)
    testing.school("S2", round_, seats=10, at=(29.3, 111.9))
    for _ in range(5):
        testing.verified_application(round_, school, 2)
    return round_


def _log_in(context, base_url, username):
    """Sign a browser context in as a city bureau user (the session a login would create)."""
    user = User.objects.create_user(username=username, password="x", role=Role.CITY)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


def _message(page):
    return page.locator(".messages li").last.inner_text()


def _enter(page, source_id, value):
    section = page.locator(f"#source-{source_id}")
    section.get_by_label("数值").fill(value)
    section.get_by_role("button", name="录入").click()
    return _message(page)


def test_a_bureau_runs_a_ceremony_and_the_hall_watches_it(
    phone, browser, live_server, round_with_applicants, tmp_path
):
    base = phone.base_url
    _log_in(phone.context, base, "alice")
    second = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    bob = second.new_page()
    _log_in(second, base, "bob")
    hall = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    projector = hall.new_page()

    # 1. Create the ceremony and freeze its entry list.
    phone.goto(base + "/console/ceremonies/")
    phone.get_by_label("摇号名称").fill("2024 小学一年级 公开摇号")
    phone.get_by_label("批次").select_option(str(round_with_applicants.pk))
    phone.get_by_label("地点").fill("市教育局报告厅")
    phone.get_by_role("button", name="创建").click()
    assert "现在冻结，名单将有 5 户" in phone.content()
    phone.screenshot(path=tmp_path / "1-draft.png", full_page=True)
    phone.get_by_role("button", name="冻结并公布名单").click()
    ceremony = Ceremony.objects.get()
    assert ceremony.entry_list_sha256 in _message(phone)

    # 2. Announce a future lottery draw and a notary's number, then close the list.
    phone.get_by_label("彩票玩法").select_option("tc-pl3")
    phone.get_by_label("期号").fill("24186")
    phone.get_by_label("开奖日期").fill(timezone.localdate().isoformat())
    phone.get_by_role("button", name="公布彩票来源").click()
    phone.get_by_label("监督员姓名").fill("王公证")
    phone.get_by_label("监督员身份").select_option("notary")
    phone.get_by_role("button", name="公布现场来源").click()
    phone.get_by_role("button", name="截止公布来源").click()
    assert "截止公布" in _message(phone)
    lottery, notary = ceremony.sources.order_by("position")

    projector.goto(f"{base}/public/ceremonies/{ceremony.pk}/projector/")
    assert projector.get_by_role("status").inner_text() == "等待摇号"
    assert "体彩排列三 第24186期" in projector.content()
    projector.screenshot(path=tmp_path / "2-projector-waiting.png")

    # 3. Two people type each value independently; a mismatch is refused.
    assert "另一位工作人员" in _enter(phone, notary.pk, "90125")
    bob.goto(f"{base}/console/ceremonies/{ceremony.pk}/")
    assert "alice 已录入一次" in bob.content() and "90125" not in bob.content()
    mismatch = _enter(bob, notary.pk, "90152")
    assert "onsite:notary-1" in mismatch and "不一致" in mismatch
    bob.screenshot(path=tmp_path / "3-mismatch.png", full_page=True)
    _enter(bob, notary.pk, "90125")
    phone.reload()
    assert "一致" in _enter(phone, notary.pk, "90125")
    _enter(phone, lottery.pk, "7 0 3")
    assert "一致" in _enter(bob, lottery.pk, "7 0 3")

    # 4. Draw.
    bob.get_by_role("button", name="摇号", exact=True).click()
    assert "摇号完成" in _message(bob)
    bob.screenshot(path=tmp_path / "4-drawn.png", full_page=True)
    ceremony.refresh_from_db()
    order = ceremony.draw.record["order"]
    assert verify_record(ceremony.draw.record).ok

    # 5. The hall: the projector reveals the published order one entry at a time.
    projector.reload()
    items = projector.locator("[data-list] li")
    assert projector.locator("[data-current]").is_hidden()
    projector.get_by_role("button", name="下一位").click()
    projector.get_by_role("button", name="下一位").click()
    assert projector.locator("[data-field=number]").inner_text() == "2"
    assert projector.locator("[data-field=code]").inner_text() == order[1]
    assert [items.nth(i).is_visible() for i in range(5)] == [True, True, False, False, False]
    projector.screenshot(path=tmp_path / "5-projector-revealing.png")
    projector.get_by_role("button", name="全部显示").click()
    assert all(items.nth(i).is_visible() for i in range(5))
    assert projector.get_by_role("button", name="下一位").is_disabled()

    # Without JavaScript the whole order is there at once, and no controls.
    no_script = browser.new_context(
        viewport={"width": 1600, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    plain = no_script.new_page()
    plain.goto(f"{base}/public/ceremonies/{ceremony.pk}/projector/")
    codes = plain.locator("[data-list] li").evaluate_all("(li) => li.map(e => e.dataset.code)")
    assert codes == order
    assert plain.locator("[data-controls]").is_hidden()
    plain.screenshot(path=tmp_path / "6-projector-no-js.png")

    # 6. Anyone can open the record.
    projector.goto(f"{base}/public/ceremonies/{ceremony.pk}/record/")
    assert "本站复算：与记录完全一致" in projector.get_by_role("status").inner_text()
    projector.screenshot(path=tmp_path / "7-record.png", full_page=True)
    for context in (second, hall, no_script):
        context.close()
