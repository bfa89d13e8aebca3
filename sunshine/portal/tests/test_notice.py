import base64
import re
import zlib

import pytest
import qrcode
from django.urls import reverse

from sunshine import testing
from sunshine.admissions import services as admissions
from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application, Status
from sunshine.portal import explanations, notice
from sunshine.portal.tests import world as w

pytestmark = pytest.mark.django_db


def pdf_strings(data: bytes) -> str:
    """The text shown by a PDF's text operators, decoded both as UTF-16BE (the CJK font's
    UniGB-UCS2-H encoding) and as Latin-1 (Helvetica), per ISO 32000-1 §7.3.4.2."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
    shown = []
    for stream in streams:
        if stream.rstrip().endswith(b"~>"):  # ASCII85, then Flate: reportlab's page streams
            stream = zlib.decompress(base64.a85decode(stream.rstrip()[:-2], adobe=False))
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
                literal,
            )
            shown.append(raw.decode("latin-1"))
            if len(raw) % 2 == 0:
                shown.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(shown)


@pytest.fixture
def admitted_application():
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=1)
    contenders = [testing.verified_application(round_, school, 2) for _ in range(3)]
    run = admissions.preview_admission(w.BUREAU, round_, sources=w.SOURCES)
    admissions.commit_admission(w.BUREAU, run)
    admitted = [a for a in contenders if Application.objects.get(pk=a.pk).status == "admitted"]
    return Application.objects.get(pk=admitted[0].pk), contenders


def test_the_notice_says_in_chinese_who_is_admitted_where_with_a_masked_id(admitted_application):
    application, _ = admitted_application
    placement = placement_of(application)
    data = notice.notice_pdf(placement, "https://example.org/check/x")
    text = pdf_strings(data)
    assert "录 取 通 知 书" in text
    assert application.child.name in text and "测试学校S1" in text
    assert application.reference in text
    assert application.child.id_number not in text
    assert application.child.id_number[-4:] in text


def test_the_qr_code_draws_one_square_per_dark_module_of_the_link():
    drawing = notice.qr_drawing("https://example.org/check/abc", 100)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data("https://example.org/check/abc")
    matrix = code.get_matrix()
    assert len(drawing.contents) == sum(map(sum, matrix))


def test_the_check_page_says_genuine_with_masks_and_refuses_a_forged_token(
    client, admitted_application
):
    application, _ = admitted_application
    token = notice.notice_token(placement_of(application))
    page = client.get(reverse("portal:notice_check", args=[token])).content.decode()
    assert "真实有效" in page and "测试学校S1" in page
    assert application.child.name not in page and application.child.name[0] + "*" in page
    forged = token.replace(token.split(":")[0], token.split(":")[0][::-1])
    page = client.get(reverse("portal:notice_check", args=[forged])).content.decode()
    assert "无法确认" in page


def test_a_notice_whose_admission_was_withdrawn_no_longer_checks_out(admitted_application):
    application, _ = admitted_application
    token = notice.notice_token(placement_of(application))
    Application.objects.filter(pk=application.pk).update(status=Status.UNPLACED)
    assert not notice.check_notice(token).genuine


def test_the_explanation_gives_each_childs_number_and_the_cutoff_of_the_draw(
    admitted_application,
):
    application, contenders = admitted_application
    winner = placement_of(application)
    (row,) = explanations.rows(winner)
    assert row.admitted and row.draw is not None
    assert f"第2类，摇号序号 {winner.lottery_number}" == row.yours
    assert row.cutoff == f"录取到第2类，摇号序号 {winner.lottery_number}"
    loser = placement_of(next(a for a in contenders if a.pk != application.pk))
    loser_row = next(r for r in explanations.rows(loser) if r.stage == "划片学校")
    assert not loser_row.admitted and loser_row.outcome == "未达到录取线"
    assert loser_row.cutoff == row.cutoff


def test_priorities_map_back_to_categories_through_the_placements():
    round_ = testing.round_()
    school = testing.school("S1", round_, seats=5)
    for category in (1, 3, 5):
        testing.verified_application(round_, school, category)
    run = admissions.preview_admission(w.BUREAU, round_, sources=w.SOURCES)
    # Priorities are dense ranks over the categories present: 1→1, 3→2, 5→3.
    assert explanations.priority_categories(run) == {1: 1, 2: 3, 3: 5}
