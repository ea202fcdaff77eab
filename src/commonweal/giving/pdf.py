"""Donation receipts (Charity Law Art. 38) and donors' annual statements as PDF: what the
printable pages (``giving/receipts/document.html``, ``statement.html``) show, drawn with
ReportLab, in the active language.

Text is set in Adobe's STSong-Light, one of the CID fonts every PDF reader supplies itself
(Chrome, Firefox, Preview, Acrobat, WPS): nothing is embedded, so a document is a few kilobytes
and the server needs no font files. The output is deterministic (``invariant``): the same
document in the same state gives the same bytes. Every page carries the document's name and the
page number; a void receipt carries a "VOID" mark across every page and the reason; a request not
yet issued has no PDF.
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

__all__ = ["receipt_pdf", "statement_pdf"]

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_MARGIN = 18 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_INK, _MUTED, _RULE, _VOID = colors.HexColor("#1a1a1a"), colors.HexColor("#555555"), colors.HexColor("#bbbbbb"), colors.HexColor("#b3261e")
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=_INK)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8.5, leading=12, textColor=_MUTED)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=20, leading=26, spaceAfter=2 * mm)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontSize=12, leading=17)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=9, leading=12)
_RIGHT = ParagraphStyle("right", parent=_CELL, alignment=2)
_HEAD_RIGHT = ParagraphStyle("head-right", parent=_SMALL, alignment=2)
_PLAIN = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
_LISTING = [  # a table of gifts: ruled head, light rules between rows, a total row last
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, _INK),
    ("LINEBELOW", (0, 1), (-1, -2), 0.3, _RULE),
    ("LINEABOVE", (0, -1), (-1, -1), 0.8, _INK),
    ("LEFTPADDING", (0, 0), (-1, -1), 2),
]


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


def _fen(amount_fen: int) -> str:
    return format_fen(amount_fen, lang=get_language())


def _facts(rows: list[tuple[str, str]], width: float) -> Table:
    """Label and value, one pair per row (the page's ``<dl class="facts">``)."""
    table = Table([[_p(k, _SMALL), _p(v)] for k, v in rows], colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(TableStyle([*_PLAIN, ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _build(story: list, *, title: str, author: str, subject: str, running: str, void: bool = False) -> bytes:
    """An A4 document; ``running`` (the document's name) and the page number on every page."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN, bottomMargin=_MARGIN,
        title=title, author=author, subject=subject, creator="Commonweal", invariant=True,
    )

    def mark(canvas, page_doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(_MUTED)
        canvas.drawRightString(A4[0] - _MARGIN, _MARGIN / 2, f"{running} · {page_doc.page}")
        if void:
            canvas.setFillColor(_VOID, alpha=0.25)
            canvas.setFont(FONT, 96)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -30, gettext("VOID"))
        canvas.restoreState()

    doc.build(story, onFirstPage=mark, onLaterPages=mark)
    return out.getvalue()


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
            "day": day, "amount": _fen(receipt.void_refund.amount_fen),
        }
    else:
        note = gettext("This receipt was voided on %(day)s.") % {"day": day}
    return f"{note} {gettext('Reason:')} {receipt.void_reason}"


def receipt_pdf(receipt, lines, *, verify_url: str) -> bytes:
    """The PDF of a numbered receipt (issued or void) and its lines (``DonationReceiptLine``
    with ``donation.project``)."""
    if not receipt.number:
        raise ValueError("only a numbered receipt has a PDF")
    number = f"{gettext('No.')} {receipt.number}"
    head = Table([[_p(gettext("Donation receipt"), _TITLE), _p(number, ParagraphStyle("no", parent=_HEADING, alignment=2))]],
                 colWidths=[_WIDTH * 0.6, _WIDTH * 0.4])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story = [head, _p(gettext(
        "Issued by the receiving organization through Commonweal (Charity Law Art. 38). Where a fiscal donation receipt "
        "printed under the supervision of the finance authorities is required, this receipt does not replace it."
    ), _SMALL), Spacer(0, 5 * mm)]
    void = receipt.status == "void"
    if void:
        story += [_p(_void_note(receipt), ParagraphStyle("void", parent=_BODY, textColor=_VOID)), Spacer(0, 4 * mm)]

    covered = (gettext("All gifts of %(year)s to this organization listed below") % {"year": receipt.year}
               if receipt.scope == "year" else gettext("One gift"))
    story += [_facts([
        (gettext("Received from"), receipt.donor_name),
        (gettext("Amount"), _fen(receipt.amount_fen)),
        ("", gettext("In words: RMB %(capitals)s") % {"capitals": fen_in_capitals(receipt.amount_fen)}),
        (gettext("Purpose"), receipt.purpose),
        (gettext("Gifts covered"), covered),
        (gettext("Date of issue"), _day(receipt.issued_at)),
    ], _WIDTH), Spacer(0, 5 * mm)]

    rows = [[_p(gettext("Date"), _SMALL), _p(gettext("Project"), _SMALL), _p(gettext("Donation ID"), _SMALL), _p(gettext("Amount"), _HEAD_RIGHT)]]
    for line in lines:
        donation = line.donation
        rows.append([_p(_day(donation.confirmed_at), _CELL), _p(donation.project.title_zh, _CELL),
                     _p(donation.public_id, _CELL), _p(_fen(line.amount_fen), _RIGHT)])
    rows.append([_p(gettext("Total")), "", "", _p(_fen(receipt.amount_fen), ParagraphStyle("total", parent=_BODY, alignment=2))])
    gifts = Table(rows, colWidths=[24 * mm, _WIDTH - 24 * mm - 62 * mm - 30 * mm, 62 * mm, 30 * mm], repeatRows=1)
    gifts.setStyle(TableStyle([*_LISTING, ("SPAN", (0, -1), (2, -1))]))
    story += [gifts, Spacer(0, 8 * mm)]

    seal = [_p(gettext("Received by"), _SMALL), _p(receipt.org.name_zh, _HEADING),
            _p(f"{gettext('Unified social credit code')} {receipt.org.credit_code}", _SMALL)]
    check = [_qr(verify_url, 26 * mm), _p(f"{gettext('Check this receipt at')} {verify_url}", _SMALL)]
    foot = Table([[seal, check]], colWidths=[_WIDTH - 62 * mm, 62 * mm])
    foot.setStyle(TableStyle(_PLAIN))
    story.append(foot)
    return _build(story, title=f"{gettext('Donation receipt')} {receipt.number}", author=receipt.org.name_zh,
                  subject=receipt.purpose, running=number, void=void)


def statement_pdf(statement, *, donor_name: str, today) -> bytes:
    """A donor's annual statement (``selectors_receipts.donor_statement``): every gift of the
    year by receiving organization, with subtotals and totals."""
    title = gettext("Annual statement %(year)s") % {"year": statement.year}
    story = [
        _p(title, _TITLE),
        _p(gettext("Gifts made by %(name)s through Commonweal, by receiving organization. Dates are Beijing time.") % {"name": donor_name}, _SMALL),
        _p(f"{gettext('Prepared on')} {today:%Y-%m-%d}", _SMALL),
        Spacer(0, 5 * mm),
        _facts([
            (gettext("Number of gifts"), str(statement.gift_count)),
            (gettext("Total given"), _fen(statement.amount_fen)),
            (gettext("Refunded"), _fen(statement.refunded_fen)),
            (gettext("Total net of refunds"), _fen(statement.net_fen)),
        ], _WIDTH),
    ]
    heads = [_p(gettext("Date"), _SMALL), _p(gettext("Project"), _SMALL), _p(gettext("Amount"), _HEAD_RIGHT),
             _p(gettext("Refunded"), _HEAD_RIGHT), _p(gettext("Net"), _HEAD_RIGHT), _p(gettext("Receipt"), _SMALL)]
    for section in statement.orgs:
        rows = [heads]
        for gift in section.gifts:
            donation = gift.donation
            rows.append([
                _p(_day(donation.confirmed_at), _CELL),
                [_p(donation.project.title_zh, _CELL), _p(donation.public_id, _SMALL)],
                _p(_fen(donation.amount_fen), _RIGHT),
                _p(_fen(donation.refunded_fen) if donation.refunded_fen else "—", _RIGHT),
                _p(_fen(gift.net_fen), _RIGHT),
                _p(gift.receipt_number or "—", _CELL),
            ])
        rows.append([_p(gettext("Subtotal"), _CELL), "", _p(_fen(section.amount_fen), _RIGHT), _p(_fen(section.refunded_fen), _RIGHT),
                     _p(_fen(section.net_fen), _RIGHT), ""])
        table = Table(rows, colWidths=[22 * mm, _WIDTH - 22 * mm - 3 * 24 * mm - 26 * mm, 24 * mm, 24 * mm, 24 * mm, 26 * mm], repeatRows=1)
        table.setStyle(TableStyle([*_LISTING, ("SPAN", (0, -1), (1, -1))]))
        story += [Spacer(0, 6 * mm), _p(section.org.name_zh, _HEADING),
                  _p(f"{gettext('Unified social credit code')} {section.org.credit_code}", _SMALL), Spacer(0, 2 * mm), table]
    if not statement.orgs:
        story += [Spacer(0, 6 * mm), _p(gettext("You made no gifts in %(year)s while signed in.") % {"year": statement.year})]
    story += [Spacer(0, 8 * mm), _p(gettext(
        "This statement lists your gifts; it is not a receipt. Official receipts are issued by each organization and carry their own number."
    ), _SMALL)]
    return _build(story, title=title, author="Commonweal", subject=title, running=title)
