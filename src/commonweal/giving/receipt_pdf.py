"""A donation receipt (Charity Law Art. 38) as a PDF: what the printable page
(``giving/receipts/document.html``) shows, drawn with ReportLab, in the active language.

Text is set in Adobe's STSong-Light, one of the CID fonts every PDF reader supplies itself
(Chrome, Firefox, Preview, Acrobat, WPS): nothing is embedded, so a receipt is a few kilobytes
and the server needs no font files. The output is deterministic (``invariant``): the same receipt
in the same state gives the same bytes. A void receipt carries a "VOID" mark on every page and
the reason; a request not yet issued has no PDF.
"""

import io
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from django.utils.translation import get_language, gettext
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commonweal.core.money import format_fen
from commonweal.giving.capitals import fen_in_capitals

__all__ = ["receipt_pdf"]

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_MARGIN = 18 * mm
_INK, _MUTED, _RULE, _VOID = colors.HexColor("#1a1a1a"), colors.HexColor("#555555"), colors.HexColor("#bbbbbb"), colors.HexColor("#b3261e")
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=_INK)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8.5, leading=12, textColor=_MUTED)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=20, leading=26, spaceAfter=2 * mm)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=9, leading=12)


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


def _qr(url: str, size: float) -> Drawing:
    """The verification address as a QR code, one square per dark module (segno, as on the page)."""
    rows = segno.make(url, error="m").matrix
    module = size / len(rows)
    drawing = Drawing(size, size)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(Rect(x * module, size - (y + 1) * module, module, module, fillColor=_INK, strokeColor=None))
    return drawing


def _void_note(receipt) -> str:
    day = _day(receipt.voided_at)
    if receipt.void_refund_id:
        note = gettext("This receipt was voided on %(day)s because %(amount)s of the gifts it covers was refunded.") % {
            "day": day, "amount": format_fen(receipt.void_refund.amount_fen, lang=get_language()),
        }
    else:
        note = gettext("This receipt was voided on %(day)s.") % {"day": day}
    return f"{note} {gettext('Reason:')} {receipt.void_reason}"


def receipt_pdf(receipt, lines, *, verify_url: str) -> bytes:
    """The PDF of a numbered receipt (issued or void) and its lines (``DonationReceiptLine``
    with ``donation.project``)."""
    if not receipt.number:
        raise ValueError("only a numbered receipt has a PDF")
    lang = get_language()
    void = receipt.status == "void"
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN, bottomMargin=_MARGIN,
        title=f"{gettext('Donation receipt')} {receipt.number}", author=receipt.org.name_zh, subject=receipt.purpose,
        creator="Commonweal", invariant=True,
    )
    width = doc.width

    head = Table(
        [[_p(gettext("Donation receipt"), _TITLE), _p(f"{gettext('No.')} {receipt.number}", ParagraphStyle("no", parent=_BODY, alignment=2, fontSize=12))]],
        colWidths=[width * 0.6, width * 0.4],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story = [head, _p(gettext(
        "Issued by the receiving organization through Commonweal (Charity Law Art. 38). Where a fiscal donation receipt "
        "printed under the supervision of the finance authorities is required, this receipt does not replace it."
    ), _SMALL), Spacer(0, 5 * mm)]
    if void:
        story += [_p(_void_note(receipt), ParagraphStyle("void", parent=_BODY, textColor=_VOID)), Spacer(0, 4 * mm)]

    covered = (gettext("All gifts of %(year)s to this organization listed below") % {"year": receipt.year}
               if receipt.scope == "year" else gettext("One gift"))
    facts = [
        (gettext("Received from"), receipt.donor_name),
        (gettext("Amount"), format_fen(receipt.amount_fen, lang=lang)),
        ("", gettext("In words: RMB %(capitals)s") % {"capitals": fen_in_capitals(receipt.amount_fen)}),
        (gettext("Purpose"), receipt.purpose),
        (gettext("Gifts covered"), covered),
        (gettext("Date of issue"), _day(receipt.issued_at)),
    ]
    table = Table([[_p(k, _SMALL), _p(v)] for k, v in facts], colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story += [table, Spacer(0, 5 * mm)]

    rows = [[_p(gettext(h), _SMALL) for h in ("Date", "Project", "Donation ID", "Amount")]]
    for line in lines:
        donation = line.donation
        rows.append([_p(_day(donation.confirmed_at), _CELL), _p(donation.project.title_zh, _CELL),
                     _p(donation.public_id, _CELL), _p(format_fen(line.amount_fen, lang=lang), _CELL)])
    rows.append([_p(gettext("Total")), "", "", _p(format_fen(receipt.amount_fen, lang=lang))])
    gifts = Table(rows, colWidths=[24 * mm, width - 24 * mm - 62 * mm - 30 * mm, 62 * mm, 30 * mm], repeatRows=1)
    gifts.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _INK),
        ("LINEBELOW", (0, 1), (-1, -2), 0.3, _RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, _INK),
        ("SPAN", (0, -1), (2, -1)),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))
    story += [gifts, Spacer(0, 8 * mm)]

    seal = [_p(gettext("Received by"), _SMALL), _p(receipt.org.name_zh, ParagraphStyle("org", parent=_BODY, fontSize=12, leading=17)),
            _p(f"{gettext('Unified social credit code')} {receipt.org.credit_code}", _SMALL)]
    check = [_qr(verify_url, 26 * mm), _p(f"{gettext('Check this receipt at')} {verify_url}", _SMALL)]
    foot = Table([[seal, check]], colWidths=[width - 62 * mm, 62 * mm])
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(foot)

    def mark(canvas, page_doc):
        """Every page: the receipt's number and the page (a year's gifts may run over several),
        and across a void receipt, "VOID"."""
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(_MUTED)
        canvas.drawRightString(A4[0] - _MARGIN, _MARGIN / 2, f"{gettext('No.')} {receipt.number} · {page_doc.page}")
        canvas.restoreState()
        if not void:
            return
        canvas.saveState()
        canvas.setFillColor(_VOID, alpha=0.25)
        canvas.setFont(FONT, 96)
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -30, gettext("VOID"))
        canvas.restoreState()

    doc.build(story, onFirstPage=mark, onLaterPages=mark)
    return out.getvalue()
