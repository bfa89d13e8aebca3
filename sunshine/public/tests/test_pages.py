import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sunshine import testing
from sunshine.admissions import services
from sunshine.admissions.models import LotteryDraw
from sunshine.audit.services import Actor
from sunshine.engine.lottery.sources import onsite_source

BUREAU = Actor("bureau", "city")


@pytest.fixture
def admitted(db):
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=1)
    testing.school("S2", round_, seats=5, at=(29.2, 111.8))
    applications = [testing.verified_application(round_, school, 2) for _ in range(3)]
    run = services.preview_admission(
        BUREAU, round_, sources=[onsite_source("notary", "4711", "4711")]
    )
    services.publish_admission(BUREAU, services.commit_admission(BUREAU, run))
    return applications


@pytest.mark.parametrize(
    "name", ["home", "public:schools", "public:lotteries", "public:results", "public:statistics"]
)
def test_public_pages_open_without_logging_in(client, admitted, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "阳光招生" in response.content.decode()


def test_a_draw_page_shows_its_hashes_and_offers_the_record(client, admitted):
    draw = LotteryDraw.objects.get(school__code="S1")
    page = client.get(reverse("public:lottery", args=[draw.reference])).content.decode()
    assert draw.entry_list_hash in page and draw.record["seed"] in page
    record = client.get(reverse("public:lottery_record", args=[draw.reference])).json()
    assert record["record_sha256"] == draw.record_hash


def test_results_lookup_needs_the_last_four_id_digits_and_masks_the_name(client, admitted):
    application = admitted[0]
    child = application.child
    url = reverse("public:results")
    found = client.post(
        url, {"reference": application.reference, "id_last_four": child.id_number[-4:]}
    )
    page = found.content.decode()
    assert child.name not in page
    assert child.name[0] + "*" in page
    wrong = client.post(url, {"reference": application.reference, "id_last_four": "0000"})
    assert "未找到匹配的申请" in wrong.content.decode()


def test_the_audit_page_reports_an_intact_chain(client, admitted):
    assert "链完整" in client.get(reverse("public:audit")).content.decode()


def _counts_applications(queries) -> bool:  # type: ignore[no-untyped-def]
    return any("applications_application" in q["sql"] for q in queries)


def test_seat_figures_are_counted_once_for_everyone_and_say_when(client, admitted, settings):
    settings.SUNSHINE_PUBLIC_FIGURES_SECONDS = 30
    url = reverse("public:schools")
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert _counts_applications(first.captured_queries)
    assert "报名人数统计于" in page and "每 30 秒更新" in page
    testing.verified_application(admitted[0].round, admitted[0].zone_school, 2)
    with CaptureQueriesContext(connection) as second:
        again = client.get(url).content.decode()
    # A second family within the interval is served the figures already counted.
    assert not _counts_applications(second.captured_queries)
    assert _figures(again) == _figures(page)

    cache.clear()  # as when the interval is over
    assert _figures(client.get(url).content.decode()) != _figures(page)


def _figures(page: str) -> str:
    return page[page.index("报名人数统计于") : page.rindex("</table>")]


def test_seat_figures_are_counted_per_language(client, admitted, settings):
    settings.SUNSHINE_PUBLIC_FIGURES_SECONDS = 30
    url = reverse("public:schools")
    chinese = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "报名人数统计于" in chinese
    assert "报名人数统计于" not in english


def test_with_no_interval_every_read_counts_afresh(client, admitted, settings):
    settings.SUNSHINE_PUBLIC_FIGURES_SECONDS = 0
    url = reverse("public:schools")
    client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert _counts_applications(second.captured_queries)
