"""The lottery ceremony: freeze, announce, two-person entry, draw, redraw, admission."""

import copy
import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine import testing
from sunshine.admissions import ceremony as ceremonies
from sunshine.admissions import ceremony_selectors as selectors
from sunshine.admissions.models import (
    Ceremony,
    CeremonyEntry,
    CeremonyPurpose,
    CeremonySource,
    CeremonyStatus,
    ImmutableRecord,
    LotteryDraw,
    SourceKind,
)
from sunshine.admissions.selectors import pseudonym
from sunshine.audit.models import AuditEvent
from sunshine.audit.selectors import verify_chain
from sunshine.audit.services import Actor
from sunshine.engine.lottery.record import verify_record
from sunshine.engine.lottery.tests.test_drand import QUICKNET_123

ALICE = Actor("alice", "city")
BOB = Actor("bob", "city")
TODAY = timezone.localdate()
FAR = (29.30, 111.90)


@pytest.fixture
def city(db):
    round_ = testing.round_()
    popular = testing.school("S1", round_, seats=2)
    testing.school("S2", round_, seats=10, at=FAR)
    applications = [testing.verified_application(round_, popular, 2) for _ in range(4)]
    twins = [testing.verified_application(round_, popular, 2, twin_group="F1") for _ in range(2)]
    return round_, popular, applications, twins


def _ceremony(round_, purpose=CeremonyPurpose.ADMISSION, **extra):
    return ceremonies.create_ceremony(
        ALICE, title="2024 小学一年级 公开摇号", round_=round_, purpose=purpose, **extra
    )


def _frozen(round_):
    return ceremonies.freeze_entry_list(ALICE, _ceremony(round_))


def _announced(round_):
    """A frozen list with a 福彩3D draw and a notary's number announced and closed."""
    ceremony = _frozen(round_)
    ceremonies.announce_lottery(
        ALICE, ceremony, game="fc-3d", draw_number="2024186", draw_date=TODAY
    )
    ceremonies.announce_onsite(ALICE, ceremony, observer_name="王公证", observer_role="notary")
    return ceremonies.close_announcements(ALICE, ceremony)


def _enter_all(ceremony, lottery="3 8 1", notary="58213"):
    for source in ceremony.sources.all():
        value = lottery if source.kind == SourceKind.LOTTERY else notary
        ceremonies.enter_value(ALICE, source, value)
        ceremonies.enter_value(BOB, source, value)


def _drawn(round_, **values):
    ceremony = _announced(round_)
    _enter_all(ceremony, **values)
    ceremonies.draw_ceremony(ALICE, ceremony)
    return Ceremony.objects.get(pk=ceremony.pk)


def _sha256_of_lines(codes):
    return hashlib.sha256("".join(code + "\n" for code in codes).encode()).hexdigest()


# Freezing


def test_the_frozen_list_is_one_masked_line_per_family_with_its_sha256(city):
    round_, _, applications, _ = city
    ceremony = _frozen(round_)
    entries = list(ceremony.entries.order_by("position"))
    singles = {pseudonym(round_, a.reference): a for a in applications}
    assert len(entries) == 5  # four single children and one pair of twins
    assert {e.code for e in entries} >= set(singles)
    assert [e.code for e in entries] == sorted(e.code for e in entries)
    for entry in entries:
        if entry.code in singles:
            child = singles[entry.code].child
            assert entry.masked_name == child.name[0] + "*" * (len(child.name) - 2) + child.name[-1]
            assert entry.masked_id == child.id_number[:6] + "*" * 8 + child.id_number[-4:]
            assert child.name not in entry.masked_name
    (pair,) = [e for e in entries if e.code not in singles]
    assert pair.masked_name.count("、") == 1 and pair.masked_id.count("、") == 1
    assert ceremony.entry_list_sha256 == _sha256_of_lines([e.code for e in entries])
    assert ceremony.status == CeremonyStatus.FROZEN


def test_a_school_ceremony_lists_only_that_schools_applicants(city):
    round_, popular, _, _ = city
    other = testing.school("S3", round_, seats=5, at=FAR)
    outsider = testing.verified_application(round_, other, 1)
    ceremony = ceremonies.freeze_entry_list(
        ALICE, _ceremony(round_, CeremonyPurpose.OTHER, school=popular)
    )
    assert ceremony.entry_count == 5
    assert not ceremony.entries.filter(code=pseudonym(round_, outsider.reference)).exists()


def test_a_round_wide_admission_ceremony_cannot_name_one_school(city):
    round_, popular, _, _ = city
    with pytest.raises(ValidationError) as error:
        _ceremony(round_, school=popular)
    assert "school" in error.value.message_dict


def test_a_frozen_list_never_changes(city):
    round_, popular, _, _ = city
    ceremony = _frozen(round_)
    published = ceremony.entry_list_sha256
    testing.verified_application(round_, popular, 1)  # verified after the list was frozen
    with pytest.raises(ValidationError):
        ceremonies.freeze_entry_list(ALICE, ceremony)
    ceremony.refresh_from_db()
    assert ceremony.entry_count == 5 and ceremony.entry_list_sha256 == published

    for field, value in [
        ("title", "另一个名称"),
        ("entry_list_sha256", "0" * 64),
        ("school", popular),
    ]:
        changed = Ceremony.objects.get(pk=ceremony.pk)
        setattr(changed, field, value)
        with pytest.raises(ImmutableRecord):
            changed.save()
    entry = ceremony.entries.first()
    entry.code = "A0"
    with pytest.raises(ImmutableRecord):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    with pytest.raises(ImmutableRecord):
        CeremonyEntry(ceremony=ceremony, position=99, code="X", masked_name="", masked_id="").save()
    with pytest.raises(ImmutableRecord):
        Ceremony.objects.get(pk=ceremony.pk).delete()
    assert selectors.entry_list_intact(ceremony)


def test_rows_changed_behind_the_models_back_are_found_and_block_the_draw(city):
    round_ = city[0]
    ceremony = _announced(round_)
    _enter_all(ceremony)
    CeremonyEntry.objects.filter(ceremony=ceremony, position=1).update(code="A00000000000")
    assert not selectors.entry_list_intact(ceremony)
    with pytest.raises(ValidationError) as error:
        ceremonies.draw_ceremony(ALICE, ceremony)
    assert "entries" in error.value.message_dict
    assert not LotteryDraw.objects.exists()


# Announcing before the draw


def test_sources_are_announced_only_after_freezing_and_before_values(city):
    round_ = city[0]
    draft = _ceremony(round_)
    with pytest.raises(ValidationError, match="请先冻结"):
        ceremonies.announce_onsite(ALICE, draft, observer_name="王公证", observer_role="notary")
    ceremony = _announced(round_)
    with pytest.raises(ValidationError, match="截止"):
        ceremonies.announce_onsite(ALICE, ceremony, observer_name="李代表", observer_role="parent")
    assert ceremony.sources.count() == 2


def test_only_future_randomness_may_be_announced(city):
    ceremony = _frozen(city[0])
    with pytest.raises(ValidationError) as error:
        ceremonies.announce_lottery(
            ALICE,
            ceremony,
            game="tc-pl3",
            draw_number="24185",
            draw_date=TODAY - dt.timedelta(days=1),
        )
    assert "draw_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ceremonies.announce_drand(ALICE, ceremony, chain="quicknet", round_number=123)
    assert "round_number" in error.value.message_dict
    assert not ceremony.sources.exists()


def test_no_draw_before_every_announced_source_has_an_accepted_value(city):
    round_ = city[0]
    frozen = _frozen(round_)
    ceremonies.announce_onsite(ALICE, frozen, observer_name="王公证", observer_role="notary")
    with pytest.raises(ValidationError):
        ceremonies.draw_ceremony(ALICE, frozen)  # the announcement is not closed yet
    with pytest.raises(ValidationError, match="截止"):
        ceremonies.enter_value(ALICE, frozen.sources.get(), "1234")

    ceremony = _announced(round_)
    lottery, notary = ceremony.sources.order_by("position")
    ceremonies.enter_value(ALICE, notary, "58213")
    ceremonies.enter_value(BOB, notary, "58213")
    ceremonies.enter_value(ALICE, lottery, "3 8 1")  # only one of two typists so far
    with pytest.raises(ValidationError) as error:
        ceremonies.draw_ceremony(ALICE, ceremony)
    assert lottery.name in error.value.message_dict["draw"][0]
    assert not LotteryDraw.objects.exists()


def test_no_source_is_announced_after_the_draw(city):
    ceremony = _drawn(city[0])
    with pytest.raises(ValidationError, match="截止"):
        ceremonies.announce_lottery(
            ALICE, ceremony, game="fc-3d", draw_number="2024190", draw_date=TODAY
        )
    late = CeremonySource(
        ceremony=ceremony,
        position=9,
        kind=SourceKind.ONSITE,
        name="onsite:parent-1",
        announced_at=timezone.now(),
        announced_by="alice",
    )
    with pytest.raises(ImmutableRecord):
        late.save()
    source = ceremony.sources.first()
    source.value = "1"
    with pytest.raises(ImmutableRecord):
        source.save()


# Two-person entry


def test_one_person_cannot_type_both_entries(city):
    ceremony = _announced(city[0])
    notary = ceremony.sources.get(kind=SourceKind.ONSITE)
    first = ceremonies.enter_value(ALICE, notary, "58213")
    assert not first.accepted
    with pytest.raises(ValidationError, match="另一位工作人员"):
        ceremonies.enter_value(ALICE, notary, "58213")
    notary.refresh_from_db()
    assert not notary.is_accepted


def test_two_typings_that_differ_accept_nothing_and_name_the_source(city):
    ceremony = _announced(city[0])
    notary = ceremony.sources.get(kind=SourceKind.ONSITE)
    ceremonies.enter_value(ALICE, notary, "58213")
    with pytest.raises(ValidationError) as error:
        ceremonies.enter_value(BOB, notary, "58231")
    message = error.value.message_dict["value"][0]
    assert notary.name in message and "王公证" in message
    notary.refresh_from_db()
    assert not notary.is_accepted and notary.value == ""
    assert AuditEvent.objects.filter(action="ceremony.value_mismatch").count() == 1
    # Both typists start again; the first typing after a mismatch waits for a second.
    assert not ceremonies.enter_value(BOB, notary, "58213").accepted
    assert ceremonies.enter_value(ALICE, notary, "５８２１３").accepted  # full-width digits
    notary.refresh_from_db()
    assert notary.value == "58213" and notary.accepted_by == "bob、alice"


def test_a_lottery_result_is_compared_in_its_published_form(city):
    ceremony = _announced(city[0])
    lottery = ceremony.sources.get(kind=SourceKind.LOTTERY)
    with pytest.raises(ValidationError, match="福彩3D"):
        ceremonies.enter_value(ALICE, lottery, "3 8")  # the game draws three digits
    ceremonies.enter_value(ALICE, lottery, "03 08 01")
    assert ceremonies.enter_value(BOB, lottery, "3,8,1").accepted
    lottery.refresh_from_db()
    assert lottery.value == "3 8 1"
    assert lottery.name == "lottery:fc-3d:2024186"


def test_a_drand_round_is_accepted_only_with_the_networks_signature(city):
    before_round_123 = dt.datetime(2023, 8, 1, tzinfo=dt.UTC)
    ceremony = ceremonies.freeze_entry_list(ALICE, _ceremony(city[0]), now=before_round_123)
    source = ceremonies.announce_drand(
        ALICE, ceremony, chain="quicknet", round_number=123, now=before_round_123
    )
    ceremonies.close_announcements(ALICE, ceremony)
    forged = "a" + QUICKNET_123.signature[1:]
    with pytest.raises(ValidationError) as error:
        ceremonies.enter_drand_round(ALICE, source, signature=forged)
    assert "signature" in error.value.message_dict
    ceremonies.enter_drand_round(ALICE, source, signature=QUICKNET_123.signature.upper())
    source.refresh_from_db()
    assert source.value == hashlib.sha256(bytes.fromhex(QUICKNET_123.signature)).hexdigest()
    draw = ceremonies.draw_ceremony(ALICE, ceremony)
    assert verify_record(draw.record).ok  # including the BLS signature check


# The draw and its record


def test_the_draw_is_a_verifiable_record_of_the_frozen_list_and_the_announced_sources(city):
    ceremony = _drawn(city[0])
    draw = ceremony.draw
    assert draw.record["entries"] == selectors.frozen_codes(ceremony)
    assert draw.entry_list_hash == ceremony.entry_list_sha256
    assert [s["name"] for s in draw.record["sources"]] == [
        "lottery:fc-3d:2024186",
        "onsite:notary-1",
    ]
    assert [s["value"] for s in draw.record["sources"]] == ["3 8 1", "58213"]
    assert verify_record(draw.record).ok
    assert sorted(line.code for line in selectors.drawn_lines(ceremony)) == sorted(
        draw.record["entries"]
    )
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("tamper", "field"),
    [
        (lambda r: r["sources"][1].update(value="58214"), "seed"),
        (lambda r: r["entries"].__setitem__(0, "A00000000000"), "entries"),
        (lambda r: r.update(order=[*r["order"][1:], r["order"][0]]), "order"),
        (lambda r: r.update(title="另一场摇号"), "record_sha256"),
    ],
    ids=["source value", "entry", "result", "title"],
)
def test_a_changed_stored_record_fails_verification_where_it_was_changed(city, tamper, field):
    stored = _drawn(city[0]).draw.record
    changed = copy.deepcopy(stored)
    tamper(changed)
    verification = verify_record(changed)
    assert not verification.ok
    assert verification.difference.field == field


def test_a_second_draw_of_the_same_ceremony_is_refused(city):
    ceremony = _drawn(city[0])
    with pytest.raises(ValidationError, match="重新摇号"):
        ceremonies.draw_ceremony(ALICE, ceremony)
    assert LotteryDraw.objects.count() == 1


def test_a_redraw_is_a_new_record_and_the_old_one_stays(city):
    round_ = city[0]
    first = _drawn(round_)
    with pytest.raises(ValidationError) as error:
        ceremonies.start_redraw(ALICE, first, reason="  ")
    assert "reason" in error.value.message_dict
    redraw = ceremonies.start_redraw(ALICE, first, reason="现场投影中断，公证员要求重摇")
    redraw = ceremonies.freeze_entry_list(ALICE, redraw)
    ceremonies.announce_onsite(ALICE, redraw, observer_name="赵公证", observer_role="notary")
    ceremonies.close_announcements(ALICE, redraw)
    _enter_all(redraw, notary="77001")
    draw = ceremonies.draw_ceremony(ALICE, redraw)

    old = LotteryDraw.objects.get(pk=first.draw_id)
    assert old.record == first.draw.record and verify_record(old.record).ok
    assert draw.supersedes == old and draw.record["supersedes"] == old.record_hash
    assert draw.record["reason"] == "现场投影中断，公证员要求重摇"
    assert verify_record(draw.record).ok
    assert Ceremony.objects.get(pk=first.pk).status == CeremonyStatus.DRAWN
    with pytest.raises(ValidationError):
        ceremonies.start_redraw(ALICE, first, reason="再来一次")


def test_a_redraw_with_the_same_list_and_values_is_refused(city):
    round_ = city[0]
    first = _drawn(round_)
    redraw = ceremonies.freeze_entry_list(
        ALICE, ceremonies.start_redraw(ALICE, first, reason="设备故障")
    )
    ceremonies.announce_lottery(ALICE, redraw, game="fc-3d", draw_number="2024186", draw_date=TODAY)
    ceremonies.announce_onsite(ALICE, redraw, observer_name="王公证", observer_role="notary")
    ceremonies.close_announcements(ALICE, redraw)
    _enter_all(redraw)
    with pytest.raises(ValidationError, match="新的来源"):
        ceremonies.draw_ceremony(ALICE, redraw)


# Admission from a ceremony


def test_an_admission_previewed_from_a_ceremony_draws_with_its_sources(city):
    round_, popular, _, _ = city
    ceremony = _drawn(round_, notary="4711")
    run = ceremonies.preview_admission_from_ceremony(ALICE, ceremony)
    announced = [{"name": s.name, "value": s.value} for s in ceremony.sources.order_by("position")]
    school_draws = list(run.draws.all())
    assert any(d.school == popular for d in school_draws)
    frozen = set(selectors.frozen_codes(ceremony))
    for draw in school_draws:
        assert verify_record(draw.record).ok
        assert [{"name": s["name"], "value": s["value"]} for s in draw.record["sources"]] == (
            announced
        )
        assert set(draw.record["entries"]) <= frozen
    assert run.ceremony_link.ceremony == ceremony
    assert ceremony.draw not in school_draws
    # Here the popular school's list is the whole frozen list, so it draws the same order.
    (popular_draw,) = [d for d in school_draws if d.school == popular]
    assert popular_draw.record["entries"] == ceremony.draw.record["entries"]
    assert popular_draw.record["order"] == ceremony.draw.record["order"]


def test_an_admission_is_refused_when_the_applicants_changed_after_freezing(city):
    round_, popular, _, _ = city
    ceremony = _drawn(round_)
    testing.verified_application(round_, popular, 2)
    with pytest.raises(ValidationError, match="新增 1 个"):
        ceremonies.preview_admission_from_ceremony(ALICE, ceremony)
    assert not round_.runs.exists()


def test_only_a_finished_admission_ceremony_can_drive_an_admission(city):
    round_, popular, _, _ = city
    with pytest.raises(ValidationError):
        ceremonies.preview_admission_from_ceremony(ALICE, _announced(round_))
    other = _ceremony(round_, CeremonyPurpose.OTHER, school=popular)
    with pytest.raises(ValidationError, match="本轮录取摇号"):
        ceremonies.preview_admission_from_ceremony(ALICE, other)
    assert not round_.runs.exists()


def test_the_rounds_usable_admission_ceremony_is_the_latest_draw_not_superseded(city):
    round_ = city[0]
    first = _drawn(round_)
    assert list(selectors.admission_ceremonies(round_)) == [first]
    redraw = ceremonies.freeze_entry_list(
        ALICE, ceremonies.start_redraw(ALICE, first, reason="设备故障")
    )
    assert list(selectors.admission_ceremonies(round_)) == []
    ceremonies.announce_onsite(ALICE, redraw, observer_name="赵公证", observer_role="notary")
    ceremonies.close_announcements(ALICE, redraw)
    _enter_all(redraw, notary="11235")
    ceremonies.draw_ceremony(ALICE, redraw)
    assert list(selectors.admission_ceremonies(round_)) == [redraw]
