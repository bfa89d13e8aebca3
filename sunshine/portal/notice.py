"""The admission notice: a PDF with a QR code that anyone can scan to check it is genuine.

The QR code holds a link to the public check page with a token signed by the
platform (``django.core.signing``, keyed by the site's secret): the
application, the admission run and the school. The check page recomputes the
placement from the database, so a forged or outdated notice shows as not valid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from django.core import signing
from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sunshine.admissions.models import Placement
from sunshine.admissions.selectors import placement_of
from sunshine.applications.models import Application, Status
from sunshine.privacy.masking import mask_id_number, mask_name

_SALT = "sunshine.portal.admission-notice"
# Adobe's Song typeface for Simplified Chinese, built into every PDF reader's CJK
# support; reportlab names it without embedding a font file.
FONT = "STSong-Light"


def notice_token(placement: Placement) -> str:
    assert placement.school is not None
    payload = {"a": placement.application_id, "r": placement.run_id, "s": placement.school.code}
    return signing.dumps(payload, salt=_SALT, compress=True)


@dataclass(frozen=True)
class NoticeCheck:
    genuine: bool
    masked_name: str = ""
    school: str = ""
    round: str = ""
    reference: str = ""
    enrolled: bool = False


def check_notice(token: str) -> NoticeCheck:
    """Is the notice with this token genuine and still valid? Never reveals more than masks."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return NoticeCheck(genuine=False)
    application = (
        Application.objects.select_related("child", "round__term")
        .filter(pk=payload.get("a"))
        .first()
    )
    if application is None or application.status not in (Status.ADMITTED, Status.ENROLLED):
        return NoticeCheck(genuine=False)
    placement = placement_of(application)
    if (
        placement is None
        or placement.school is None
        or placement.run_id != payload.get("r")
        or placement.school.code != payload.get("s")
    ):
        return NoticeCheck(genuine=False)
    return NoticeCheck(
        genuine=True,
        masked_name=mask_name(application.child.name),
        school=placement.school.name,
        round=str(application.round),
        reference=application.reference[:4] + "****" + application.reference[-2:],
        enrolled=application.status == Status.ENROLLED,
    )


def _latin(text: str, size: int | None = None) -> str:
    """Letters and digits set in Helvetica: the CJK font's Latin glyphs are too wide."""
    sized = f' size="{size}"' if size else ""
    return f'<font face="Helvetica"{sized}>{escape(text)}</font>'


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=22, wordWrap="CJK")
    return {
        "issuer": ParagraphStyle("issuer", parent=base, fontSize=14, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=30, leading=44, alignment=TA_CENTER, spaceAfter=8
        ),
        "body": base,
        "paragraph": ParagraphStyle("paragraph", parent=base, firstLineIndent=26),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=12, leading=18),
    }


def qr_drawing(text: str, size: float) -> Drawing:
    """The QR code of ``text`` as vector squares (error correction M, quiet zone included)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    drawing = Drawing(size, size)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                y = size - (row + 1) * cell
                drawing.add(
                    Rect(column * cell, y, cell, cell, fillColor=colors.black, strokeColor=None)
                )
    return drawing


def notice_pdf(placement: Placement, check_url: str) -> bytes:
    """The admission notice of an admitted application, as PDF bytes."""
    application = placement.application
    school = placement.school
    assert school is not None
    child = application.child
    round_ = application.round
    style = _styles()
    rows = [
        ("报名编号", _latin(application.reference)),
        ("身份证号", _latin(mask_id_number(child.id_number))),
        ("录取学校", escape(school.name)),
        ("学校地址", escape(school.address)),
        ("录取方式", escape(str(placement.get_stage_display()))),
    ]
    if placement.lottery_number:
        rows.append(("摇号序号", _latin(str(placement.lottery_number))))
    table = Table(
        [[Paragraph(k, style["cell"]), Paragraph(v, style["cell"])] for k, v in rows],
        colWidths=[32 * mm, 120 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#fff4e5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    qr = Table(
        [
            [qr_drawing(check_url, 42 * mm)],
            [Paragraph("扫码核验通知书真伪", style["small"])],
            [Paragraph(_latin(check_url, size=7), style["small"])],
        ],
        colWidths=[152 * mm],
        style=TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]),
    )
    issued = timezone.localtime(placement.run.committed_at or timezone.now()).strftime(
        "%Y年%m月%d日"
    )
    level = round_.get_level_display()
    story = [
        Paragraph(escape(f"{school.district.name}教育局"), style["issuer"]),
        Paragraph("录 取 通 知 书", style["title"]),
        Spacer(1, 6 * mm),
        Paragraph(f"{escape(child.name)} 同学：", style["body"]),
        Paragraph(
            f"经核验和录取，你已被{escape(school.name)}录取为{round_.term.year}年秋季"
            f"{level}新生。请家长在阳光招生平台确认就读，并按学校通知的时间，"
            "携带本通知书和户口簿到校报到。",
            style["paragraph"],
        ),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 8 * mm),
        qr,
        Spacer(1, 6 * mm),
        Paragraph(escape(f"{school.district.name}教育局"), style["right"]),
        Paragraph(issued, style["right"]),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
        title=f"录取通知书 {application.reference}",
        author="阳光招生",
    )
    document.build(story)
    return buffer.getvalue()
