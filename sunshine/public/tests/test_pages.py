import pytest
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
