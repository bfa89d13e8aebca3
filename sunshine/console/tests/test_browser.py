"""The console in a real Chromium at desk width: the bureau's admission day, and a school's
class placement and head-teacher draw."""

from __future__ import annotations

import pytest
from django.test import Client

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.admissions import services as admissions
from sunshine.admissions.models import AdmissionRun, RunStatus
from sunshine.classes.models import SchoolClass
from sunshine.console.tests.conftest import BUREAU, SOURCES
from sunshine.notifications.models import MessageStatus, OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser, live_server):
    """A console page 1280 x 800, as on a bureau's desktop."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def _log_in(page, user: User) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": page.base_url}])


def _round_form(page, round_pk: int, number: str):
    section = page.locator(f"#round-{round_pk}")
    section.get_by_label("现场随机数（第一人录入）").fill(number)
    section.get_by_label("现场随机数（第二人录入）").fill(number)
    return section


def test_the_bureau_runs_admission_day_preview_compare_commit_publish_notify(desk, city, tmp_path):
    _log_in(desk, city.users["city"])
    desk.goto(desk.base_url + "/console/admission/")
    _round_form(desk, city.round.pk, "58213").get_by_role("button", name="预览录取").click()
    desk.wait_for_url("**/console/admission/runs/*/")
    assert "已生成录取预览" in desk.locator(".messages").inner_text()
    popular = desk.locator("table.schools-outcome tr", has_text="测试学校S1")
    assert "第2类摇号" in popular.inner_text()
    desk.screenshot(path=tmp_path / "1-preview.png", full_page=True)

    desk.goto(desk.base_url + "/console/admission/")
    _round_form(desk, city.round.pk, "90417").get_by_role("button", name="预览录取").click()
    desk.wait_for_url("**/console/admission/runs/*/")
    first, second = AdmissionRun.objects.order_by("pk")
    desk.get_by_label("与另一次预览比较").select_option(str(first.pk))
    desk.get_by_role("button", name="比较").click()
    desk.wait_for_url("**/console/admission/compare/**")
    before = dict(first.placements.values_list("application_id", "school_id"))
    after = dict(second.placements.values_list("application_id", "school_id"))
    moved = sum(1 for a in before if before[a] != after[a])
    assert desk.locator("#moved").inner_text() == str(moved)
    desk.screenshot(path=tmp_path / "2-compare.png", full_page=True)

    desk.get_by_role("link", name=f"#{first.pk} →").click()
    desk.get_by_role("button", name="确认录取结果").click()
    assert "录取结果已确认" in desk.locator(".messages").inner_text()
    assert desk.get_by_role("button", name="确认录取结果").count() == 0
    desk.screenshot(path=tmp_path / "3-committed.png", full_page=True)
    desk.get_by_role("button", name="公布录取结果").click()
    assert "已公布" in desk.locator(".messages").inner_text()
    first.refresh_from_db()
    assert first.status == RunStatus.PUBLISHED
    second.refresh_from_db()
    assert second.status == RunStatus.PREVIEW

    desk.goto(desk.base_url + "/console/admission/")
    desk.get_by_role("button", name="一键发送全部结果").click()
    assert f"成功 {len(city.applications)} 条" in desk.locator(".messages").inner_text()
    desk.get_by_role("button", name="一键发送全部结果").click()
    assert "没有待发送的短信" in desk.locator(".messages").inner_text()
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == len(city.applications)
    desk.screenshot(path=tmp_path / "4-notified.png", full_page=True)


@pytest.fixture
def school_with_pupils(db):
    round_ = testing.round_()
    school = testing.school("S5", round_, seats=60, class_size=20)
    for index in range(60):
        testing.verified_application(round_, school, 1, male=index % 3 != 0)
    admissions.commit_admission(
        BUREAU, admissions.preview_admission(BUREAU, round_, sources=SOURCES)
    )
    staff = User.objects.create_user("s5", role=Role.SCHOOL, school=school)
    return school, staff


def test_a_school_places_classes_freezes_them_and_draws_head_teachers(
    desk, school_with_pupils, tmp_path
):
    school, staff = school_with_pupils
    _log_in(desk, staff)
    desk.goto(desk.base_url + "/console/classes/")
    desk.get_by_role("link", name=school.name).click()
    desk.get_by_label("现场随机数（第一人录入）").fill("31415")
    desk.get_by_label("现场随机数（第二人录入）").fill("31415")
    desk.get_by_role("button", name="预览分班").click()
    desk.wait_for_url("**/console/classes/runs/*/")
    assert desk.locator(".class-list").count() == 3
    assert int(desk.locator("#max-boys").inner_text()) <= 1
    assert float(desk.locator("#month-spread").inner_text()) < 1.0
    desk.screenshot(path=tmp_path / "5-placement.png", full_page=True)

    desk.get_by_role("button", name="确定分班名单").click()
    assert "分班名单已确定" in desk.locator(".messages").inner_text()
    desk.get_by_role("link", name="录入班主任").click()
    desk.get_by_label("班主任姓名（每行一位）").fill("王老师\n李老师\n赵老师")
    desk.get_by_role("button", name="添加班主任").click()
    assert "已添加 3 位班主任" in desk.locator(".messages").inner_text()
    desk.get_by_role("link", name="#", exact=False).first.click()

    desk.get_by_label("现场随机数（第一人录入）").fill("27182")
    desk.get_by_label("现场随机数（第二人录入）").fill("27182")
    desk.get_by_role("button", name="公开抽签确定班主任").click()
    assert "班主任抽签完成" in desk.locator(".messages").inner_text()
    teachers = sorted(desk.locator(".class-list .teacher").all_inner_texts())
    assert teachers == ["李老师", "王老师", "赵老师"]
    assert SchoolClass.objects.filter(head_teacher__isnull=False).count() == 3
    desk.screenshot(path=tmp_path / "6-teachers.png", full_page=True)

    desk.locator(".class-list").first.get_by_role("link", name="抽签记录").click()
    assert "班主任抽签" in desk.locator("h1").inner_text()
    assert "如何验证这次摇号" in desk.content()
    assert "27182" in desk.locator("dl").inner_text()  # the announced number, for checking
    desk.screenshot(path=tmp_path / "7-draw-record.png", full_page=True)
