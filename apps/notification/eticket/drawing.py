"""E-ticket pages drawn as a PDF with ReportLab's canvas: A5 portrait (half an A4 sheet when printed, a phone's
screen when not), the company's name on a band at the top, the ticket number and passenger beside the QR code,
then the seat, route, stretch with its times, price and issue time, each label above its value so that long
labels (French, Swahili) and long names wrap instead of overflowing.

The QR code is qr's own PNG of the ticket's code (qr.api), placed at 50 mm: the same symbol as every other
image of the ticket, large enough for a driver's phone to read from a printout or another screen."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from apps.notification.eticket.content import TicketPage
from apps.notification.eticket.fonts import missing_glyphs, ticket_font
from apps.notification.eticket.wording import Wording
from apps.qr import api as qr_api

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A5
MARGIN = 12 * mm
BAND_HEIGHT = 26 * mm
QR_SIZE = 50 * mm
GUTTER = 6 * mm
INK = HexColor("#1b1f24")
MUTED = HexColor("#5b6470")
BRAND = HexColor("#0b4f6c")
ALERT = HexColor("#b3261e")
LABEL_SIZE = 8.5
VALUE_SIZE = 12
MAX_VALUE_LINES = 3
LEADING = 1.25  # line height, in font sizes
DESCENT = 0.3  # below the baseline, in font sizes


def pages_pdf(pages: Sequence[TicketPage], wording: Wording) -> bytes:
    """The PDF of the pages, one ticket each."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A5, pageCompression=1, lang=wording.language,
                    initialFontName=ticket_font())  # type: ignore[arg-type]  # a font name; the stub says float
    canvas.setTitle(f"{wording.title} {', '.join(page.number for page in pages)}")
    canvas.setAuthor(pages[0].company_name)
    canvas.setCreator(pages[0].company_name)
    for page in pages:
        _warn_of_missing_glyphs(page)
        _draw_page(canvas, page, wording)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_page(canvas: Canvas, page: TicketPage, wording: Wording) -> None:
    right = PAGE_WIDTH - MARGIN
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    below = _lines(canvas, MARGIN, PAGE_HEIGHT - 7 * mm, page.company_name, size=17, width=right - MARGIN,
                   color=white, bold=True, max_lines=1)
    _lines(canvas, MARGIN, below - 1.5 * mm, page.company_contact, size=9, width=right - MARGIN, color=white,
           max_lines=1)

    top = PAGE_HEIGHT - BAND_HEIGHT - 7 * mm
    qr_left = right - QR_SIZE
    if page.cancelled:
        beneath_qr = _draw_cancelled(canvas, qr_left, top, wording)
    else:
        canvas.drawImage(ImageReader(io.BytesIO(qr_api.ticket_code_png(code=page.code))), qr_left, top - QR_SIZE,
                         width=QR_SIZE, height=QR_SIZE)
        beneath_qr = _lines(canvas, qr_left, top - QR_SIZE - 1 * mm, wording.scan_note, size=9, width=QR_SIZE,
                            color=INK)

    beside = qr_left - GUTTER - MARGIN
    y = _lines(canvas, MARGIN, top + 1 * mm, wording.title.upper(), size=LABEL_SIZE, width=beside, color=MUTED)
    y = _lines(canvas, MARGIN, y - 1 * mm, f"{wording.ticket} {page.number}", size=20, width=beside, color=INK,
               bold=True, max_lines=2)
    y = _field(canvas, y - 5 * mm, wording.passenger, [page.passenger_name], width=beside, size=15)

    y = min(y, beneath_qr) - 4 * mm
    full = right - MARGIN
    for label, values in (
        (wording.seat, [page.seat]),
        (wording.route, [page.route]),
        (wording.departs, [page.from_stop, page.departs]),
        (wording.arrives, [page.to_stop, page.arrives]),
        (wording.price, [page.price]),
        (wording.issued, [page.issued]),
    ):
        y = _field(canvas, y, label, values, width=full)


def _draw_cancelled(canvas: Canvas, left: float, top: float, wording: Wording) -> float:
    """In the QR code's place: a stamp saying the ticket is cancelled, and why it shows no code. Returns where the
    space beneath it starts."""
    height = QR_SIZE / 2
    canvas.setStrokeColor(ALERT)
    canvas.setLineWidth(2.5)
    canvas.rect(left, top - height, QR_SIZE, height, stroke=1, fill=0)
    size = 22.0
    while size > 8 and stringWidth(wording.cancelled, ticket_font(), size) > QR_SIZE - 6 * mm:
        size -= 1
    _lines(canvas, left + (QR_SIZE - stringWidth(wording.cancelled, ticket_font(), size)) / 2,
           top - (height - size) / 2, wording.cancelled, size=size, width=QR_SIZE, color=ALERT, bold=True)
    return _lines(canvas, left, top - height - 2 * mm, wording.cancelled_note, size=9, width=QR_SIZE, color=ALERT)


def _field(canvas: Canvas, top: float, label: str, values: Sequence[str], *, width: float,
           size: float = VALUE_SIZE) -> float:
    """A label and its values (each wrapped) from `top` down; returns where the next field starts."""
    y = _lines(canvas, MARGIN, top, label, size=LABEL_SIZE, width=width, color=MUTED)
    for number, value in enumerate(values):
        first = number == 0
        y = _lines(canvas, MARGIN, y, value, size=size if first else size - 2, width=width,
                   color=INK if first else MUTED, max_lines=MAX_VALUE_LINES)
    return y - 3.5 * mm


def _lines(canvas: Canvas, x: float, top: float, text: str, *, size: float, width: float, color: Color,
           bold: bool = False, max_lines: int = MAX_VALUE_LINES) -> float:
    """Draw text wrapped to `width` in lines from `top` down, at most `max_lines` (the last one cut with an
    ellipsis); returns the bottom of the last line. Bold is drawn by stroking the glyphs' outline in the fill
    colour: the embedded font has a single weight."""
    font = ticket_font()
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _cut(lines[-1], font, size, width)
    leading = size * LEADING
    words = canvas.beginText(x, top - size)
    words.setFont(font, size, leading)
    words.setFillColor(color)
    words.setStrokeColor(color)
    canvas.setLineWidth(size * 0.035)
    words.setTextRenderMode(2 if bold else 0)  # the mode outlives the text object: set it every time
    for line in lines:
        words.textLine(line)
    canvas.drawText(words)
    return top - size - leading * (len(lines) - 1) - size * DESCENT


def _cut(line: str, font: str, size: float, width: float) -> str:
    while line and stringWidth(f"{line}…", font, size) > width:
        line = line[:-1]
    return f"{line.rstrip()}…"


def _warn_of_missing_glyphs(page: TicketPage) -> None:
    missing = missing_glyphs(" ".join((page.company_name, page.passenger_name, page.route, page.from_stop,
                                       page.to_stop)))
    if missing:
        logger.warning("E-ticket %s: the font has no glyphs for %r, drawn as empty boxes", page.number, missing)
