"""Public ceremony pages: only published data, masked, readable without logging in."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine import testing
from sunshine.admissions import ceremony as services
from sunshine.admissions.models import CeremonyPurpose, LotteryDraw, SourceKind
from sunshine.audit.services import Actor

ALICE, BOB = Actor("alice", "city"), Actor("bob", "city")


@pytest.fixture
def applications(db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=2)
    return [testing.verified_application(round_, school, 2) for _ in range(3)]


@pytest.fixture
def announced(applications):
    """A frozen list with a 排列三 draw and a notary's number announced and closed."""
    ceremony = services.create_ceremony(
        ALICE,
        title="2024 小学一年级 公开摇号",
        round_=applications[0].round,
        purpose=CeremonyPurpose.ADMISSION,
        venue="市教育局报告厅",
    )
    services.freeze_entry_list(ALICE, ceremony)
    services.announce_lottery(
        ALICE, ceremony, game="tc-pl3", draw_number="24186", draw_date=timezone.localdate()
    )
    services.announce_onsite(ALICE, ceremony, observer_name="王公证", observer_role="notary")
    return services.close_announcements(ALICE, ceremony)


def _drawn(ceremony, lottery="5 0 9", notary="31415"):
    for source in ceremony.sources.all():
        value = lottery if source.kind == SourceKind.LOTTERY else notary
        services.enter_value(ALICE, source, value)
        services.enter_value(BOB, source, value)
    services.draw_ceremony(ALICE, ceremony)
    ceremony.refresh_from_db()
    return ceremony


def _page(client, name, ceremony, query=""):
    response = client.get(reverse(f"public:{name}", kwargs={"pk": ceremony.pk}) + query)
    return response, response.content.decode()


def test_a_ceremony_is_public_only_once_its_list_is_frozen(client, applications):
    draft = services.create_ceremony(
        ALICE, title="草稿", round_=applications[0].round, purpose=CeremonyPurpose.ADMISSION
    )
    assert client.get(reverse("public:ceremony", kwargs={"pk": draft.pk})).status_code == 404
    assert "草稿" not in client.get(reverse("public:ceremonies")).content.decode()
    services.freeze_entry_list(ALICE, draft)
    response, page = _page(client, "ceremony", draft)
    assert response.status_code == 200 and draft.entry_list_sha256 in page


def test_the_list_and_the_announced_sources_are_public_before_the_draw(client, announced):
    _, page = _page(client, "ceremony", announced)
    assert announced.entry_list_sha256 in page and "名单与公布的哈希一致" in page
    assert "体彩排列三 第24186期" in page and "公证员 王公证" in page
    assert "待仪式上录入" in page
    assert (
        client.get(reverse("public:ceremony_record", kwargs={"pk": announced.pk})).status_code
        == 404
    )


def test_public_pages_show_masked_names_and_ids_only(client, announced, applications):
    pages = [_page(client, "ceremony", announced)[1]]
    drawn = _drawn(announced)
    pages += [_page(client, name, drawn)[1] for name in ("ceremony_projector", "ceremony_record")]
    for application in applications:
        child = application.child
        masked_id = child.id_number[:6] + "********" + child.id_number[-4:]
        assert masked_id in pages[0]
        for page in pages:
            assert child.name not in page and child.id_number not in page
            assert child.name[0] + "*" in page


def test_the_projector_waits_and_refreshes_until_the_draw(client, announced):
    response, page = _page(client, "ceremony_projector", announced)
    assert response.status_code == 200 and response["Refresh"]
    assert "等待摇号" in page and "待录入" in page


def test_the_projector_holds_the_whole_order_without_javascript(client, announced):
    drawn = _drawn(announced)
    response, page = _page(client, "ceremony_projector", drawn)
    assert "Refresh" not in response
    order = drawn.draw.record["order"]
    positions = [page.index(f'data-code="{code}"') for code in order]
    assert positions == sorted(positions) and len(order) == 3
    assert "ceremony_projector.js" in page
    assert _page(client, "ceremony_projector", drawn, "?draw=NOPE")[0].status_code == 404


def test_the_record_page_publishes_everything_needed_to_recompute(client, announced):
    drawn = _drawn(announced)
    draw = drawn.draw
    _, page = _page(client, "ceremony_record", drawn)
    for fact in (
        draw.entry_list_hash,
        draw.record["seed"],
        draw.algorithm,
        draw.record["code_version"],
        draw.record_hash,
        "lottery:tc-pl3:24186",
        "5 0 9",
        "31415",
        "本站复算：与记录完全一致",
    ):
        assert fact in page
    download = reverse("public:lottery_record", kwargs={"reference": draw.reference})
    assert download in page
    assert json.loads(client.get(download).content) == draw.record


def test_a_record_changed_in_the_database_is_shown_as_not_recomputing(client, announced):
    drawn = _drawn(announced)
    record = dict(drawn.draw.record, order=list(reversed(drawn.draw.record["order"])))
    LotteryDraw.objects.filter(pk=drawn.draw_id).update(record=record)
    _, page = _page(client, "ceremony_record", drawn)
    assert "本站复算发现不一致" in page and "order" in page


def test_a_redraw_links_both_ways_and_the_old_record_stays(client, announced):
    first = _drawn(announced)
    redraw = services.freeze_entry_list(
        ALICE, services.start_redraw(ALICE, first, reason="现场投影中断")
    )
    services.announce_onsite(ALICE, redraw, observer_name="赵公证", observer_role="notary")
    services.close_announcements(ALICE, redraw)
    redraw = _drawn(redraw, notary="27182")
    _, old_page = _page(client, "ceremony", first)
    assert reverse("public:ceremony", kwargs={"pk": redraw.pk}) in old_page
    _, old_record = _page(client, "ceremony_record", first)
    assert first.draw.record_hash in old_record
    _, new_record = _page(client, "ceremony_record", redraw)
    assert first.draw.reference in new_record and "现场投影中断" in new_record
