"""The public pages in a real Chromium at phone width."""

import pytest
from playwright.sync_api import expect

from sunshine import testing
from sunshine.admissions import services
from sunshine.audit.services import Actor
from sunshine.engine.lottery.sources import onsite_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=1)
    testing.school("S2", round_, seats=5, at=(29.2, 111.8))
    applications = [testing.verified_application(round_, school, 2) for _ in range(3)]
    bureau = Actor("bureau", "city")
    run = services.preview_admission(
        bureau, round_, sources=[onsite_source("notary", "4711", "4711")]
    )
    services.publish_admission(bureau, services.commit_admission(bureau, run))
    return applications


def test_a_parent_on_a_phone_finds_the_result_without_seeing_the_full_name(
    phone, published, tmp_path
):
    application = published[0]
    phone.goto(phone.base_url + "/")
    assert phone.locator("h1").inner_text() == "义务教育阳光招生"
    phone.screenshot(path=tmp_path / "home.png", full_page=True)
    phone.get_by_role("link", name="查询").click()
    phone.get_by_label("报名编号").fill(application.reference)
    phone.get_by_label("儿童身份证号后四位").fill(application.child.id_number[-4:])
    phone.get_by_role("button", name="查询").click()
    status = phone.get_by_role("status")
    assert application.reference in status.inner_text()
    assert application.child.name not in phone.content()
    phone.screenshot(path=tmp_path / "result.png", full_page=True)
    # Nothing a parent typed ends up in the address bar.
    assert application.reference not in phone.url


def test_an_observer_follows_a_draw_to_its_record(phone, published):
    phone.goto(phone.base_url + "/public/lotteries/")
    phone.locator("table a").first.click()
    expect(phone.get_by_text("参与名单哈希", exact=False).first).to_be_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载完整记录（JSON）").click()
    assert download.value.suggested_filename.endswith(".json")


def test_the_language_menu_switches_to_english_under_the_security_policy(phone, published):
    phone.goto(phone.base_url + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    with phone.expect_navigation():
        phone.get_by_label("语言").select_option("en")
    assert phone.locator("html").get_attribute("lang") == "en"
