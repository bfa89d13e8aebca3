"""Console pages of the lottery ceremony: who may do what, and the walk through its steps."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from sunshine import testing
from sunshine.accounts.models import Role, User
from sunshine.admissions import ceremony as services
from sunshine.admissions.models import (
    Ceremony,
    CeremonyPurpose,
    CeremonySource,
    CeremonyStatus,
    SourceKind,
)
from sunshine.audit.services import Actor
from sunshine.schools.models import District

TODAY = timezone.localdate().isoformat()


@pytest.fixture
def city(db):
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=2)
    testing.school("S2", round_, seats=10, at=(29.3, 111.9))
    applications = [testing.verified_application(round_, popular, 2) for _ in range(4)]
    return round_, popular, applications


def _user(role, name=None, **scope):
    return User.objects.create_user(username=name or role, password="x", role=role, **scope)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _url(name, **kwargs):
    return reverse(f"console:{name}", kwargs=kwargs)


def _create(client, round_, **extra):
    data = {"title": "2024 小学摇号", "round": round_.pk, "purpose": CeremonyPurpose.ADMISSION}
    data.update(extra)
    client.post(_url("ceremony_create"), data)
    return Ceremony.objects.latest("pk")


def _frozen_with_sources(round_):
    actor = Actor("setup", "city")
    ceremony = services.create_ceremony(
        actor, title="摇号", round_=round_, purpose=CeremonyPurpose.ADMISSION
    )
    services.freeze_entry_list(actor, ceremony)
    services.announce_onsite(actor, ceremony, observer_name="王公证", observer_role="notary")
    return ceremony


def test_anonymous_visitors_log_in_and_other_roles_are_refused(client, city):
    assert client.get(_url("ceremonies")).status_code == 302
    for role, scope in [(Role.PARENT, {}), (Role.SCHOOL, {"school": city[1]})]:
        client.force_login(_user(role, **scope))
        assert client.get(_url("ceremonies")).status_code == 403
        assert client.post(_url("ceremony_create"), {}).status_code == 403


def test_an_observer_watches_read_only(client, city):
    ceremony = _frozen_with_sources(city[0])
    client.force_login(_user(Role.OBSERVER))
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert ceremony.entry_list_sha256 in page and "只读" in page
    assert 'action="' + _url("ceremony_close", pk=ceremony.pk) not in page
    assert client.post(_url("ceremony_close", pk=ceremony.pk)).status_code == 403
    assert Ceremony.objects.get(pk=ceremony.pk).status == CeremonyStatus.FROZEN


def test_district_staff_run_only_their_own_schools_ceremonies(client, city):
    round_, popular, _ = city
    ours = _user(Role.DISTRICT, "district", district=popular.district)
    client.force_login(ours)
    round_wide = _frozen_with_sources(round_)
    assert client.get(_url("ceremony", pk=round_wide.pk)).status_code == 200
    assert client.post(_url("ceremony_close", pk=round_wide.pk)).status_code == 403

    mine = _create(client, round_, purpose=CeremonyPurpose.OTHER, school=popular.pk)
    assert mine.school == popular and mine.created_by == "district"
    elsewhere = District.objects.create(code="430703", name="鼎城区")
    outsider = _user(Role.DISTRICT, "other-district", district=elsewhere)
    client.force_login(outsider)
    response = client.post(
        _url("ceremony_create"),
        {
            "title": "越权",
            "round": round_.pk,
            "purpose": CeremonyPurpose.OTHER,
            "school": popular.pk,
        },
    )
    assert any("学校" in m for m in _messages(response))
    assert not Ceremony.objects.filter(title="越权").exists()
    assert client.get(_url("ceremony", pk=mine.pk)).status_code == 404


def test_bad_input_names_the_field_and_writes_nothing(client, city):
    client.force_login(_user(Role.CITY))
    ceremony = _create(client, city[0])
    client.post(_url("ceremony_freeze", pk=ceremony.pk))
    response = client.post(
        _url("ceremony_announce", pk=ceremony.pk, kind="lottery"),
        {"game": "fc-3d", "draw_number": "第186期", "draw_date": TODAY},
    )
    assert any(m.startswith("期号：") for m in _messages(response))
    response = client.post(_url("ceremony_create"), {"title": "", "round": city[0].pk})
    assert any(m.startswith("摇号名称：") for m in _messages(response))
    assert not CeremonySource.objects.exists()
    assert Ceremony.objects.count() == 1


def test_a_bureau_walks_the_ceremony_with_two_typists(client, city):
    round_ = city[0]
    alice, bob = _user(Role.CITY, "alice"), _user(Role.CITY, "bob")
    client.force_login(alice)
    ceremony = _create(client, round_, venue="市教育局报告厅")
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert "现在冻结，名单将有 4 户" in page
    client.post(_url("ceremony_freeze", pk=ceremony.pk))
    client.post(
        _url("ceremony_announce", pk=ceremony.pk, kind="lottery"),
        {"game": "tc-pl3", "draw_number": "24186", "draw_date": TODAY},
    )
    client.post(
        _url("ceremony_announce", pk=ceremony.pk, kind="onsite"),
        {"observer_name": "王公证", "observer_role": "notary"},
    )
    client.post(_url("ceremony_close", pk=ceremony.pk))
    ceremony.refresh_from_db()
    assert ceremony.status == CeremonyStatus.ANNOUNCED
    lottery = ceremony.sources.get(kind=SourceKind.LOTTERY)
    notary = ceremony.sources.get(kind=SourceKind.ONSITE)

    def enter(source, value):
        return client.post(
            _url("ceremony_enter", pk=ceremony.pk, source_pk=source.pk),
            {f"s{source.pk}-value": value},
        )

    enter(notary, "90125")
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert "您已录入一次" in page and "90125" not in page
    response = enter(notary, "90125")
    assert any("另一位工作人员" in m for m in _messages(response))

    client.force_login(bob)
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert "alice 已录入一次" in page and "90125" not in page
    response = enter(notary, "90152")
    assert any(notary.name in m and "不一致" in m for m in _messages(response))
    enter(notary, "90125")
    client.force_login(alice)
    enter(notary, "90125")
    enter(lottery, "7 0 3")
    client.force_login(bob)
    response = enter(lottery, "7 0 3")
    assert any("一致" in m for m in _messages(response))

    client.post(_url("ceremony_draw", pk=ceremony.pk))
    ceremony.refresh_from_db()
    assert ceremony.status == CeremonyStatus.DRAWN
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert ceremony.draw.reference in page and ceremony.draw.record_hash in page

    response = client.post(_url("ceremony_preview", pk=ceremony.pk))
    run = ceremony.runs.get().run
    assert any(f"#{run.pk}" in m for m in _messages(response))
    assert {s["name"] for d in run.draws.all() for s in d.record["sources"]} == {
        lottery.name,
        notary.name,
    }


def test_a_redraw_needs_a_reason_and_starts_a_new_ceremony(client, city):
    round_ = city[0]
    actor, other = Actor("alice", "city"), Actor("bob", "city")
    ceremony = _frozen_with_sources(round_)
    services.close_announcements(actor, ceremony)
    source = ceremony.sources.get()
    services.enter_value(actor, source, "1")
    services.enter_value(other, source, "1")
    draw = services.draw_ceremony(actor, ceremony)
    client.force_login(_user(Role.CITY))
    response = client.post(_url("ceremony_redraw", pk=ceremony.pk), {"reason": ""})
    assert any(m.startswith("理由：") for m in _messages(response))
    response = client.post(_url("ceremony_redraw", pk=ceremony.pk), {"reason": "投影中断"})
    redraw = Ceremony.objects.get(supersedes=ceremony)
    assert response["Location"] == _url("ceremony", pk=redraw.pk)
    page = client.get(_url("ceremony", pk=ceremony.pk)).content.decode()
    assert "已被重新摇号取代" in page and draw.reference in page
