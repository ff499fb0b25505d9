"""E-tickets read back as their readers see them: the text of each page (pypdf), the QR codes on a page as a
camera would find them (pypdfium2 draws the page, zxing-cpp decodes it), the images and fonts a page holds; and
bookings of several passengers, sold through the API and paid in cash, to print."""

from __future__ import annotations

import io
import itertools
from typing import Any
from uuid import UUID

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from apps.ticketing import api as ticketing_api
from tests.worlds.boarding import CASHIER
from tests.worlds.ticketing import SalesWorld

RENDER_SCALE = 2  # 144 dpi: a QR module of 50 mm / 49 is about 8 pixels
_keys = itertools.count(1)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, line by line as drawn (the extraction reads no-break spaces as spaces)."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pages_words(pdf: bytes) -> list[str]:
    """Each page's text as one line of words: what it says, wherever its lines wrap."""
    return [" ".join(text.split()) for text in pages_text(pdf)]


def qr_codes_on_page(pdf: bytes, index: int) -> list[str]:
    """The text of every QR code found on the drawn page."""
    page = pypdfium2.PdfDocument(pdf)[index]
    image = page.render(scale=RENDER_SCALE).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


def images_on_page(pdf: bytes, index: int) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages[index].images)


def page_fonts(pdf: bytes, index: int) -> dict[str, bool]:
    """The base names of the page's fonts (without a subset's tag, ABCDEF+), each with whether the PDF embeds it."""
    resources: Any = PdfReader(io.BytesIO(pdf)).pages[index]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    return {str(font["/BaseFont"]).lstrip("/").split("+")[-1]:
            "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"] for font in fonts}


def confirmed_booking(world: SalesWorld, names: dict[str, str], *, board: str = "Nairobi",
                      alight: str = "Kisumu") -> UUID:
    """A booking of the world's passenger for these passengers (seat -> name), held through the API and paid."""
    body = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops[board]),
            "to_stop_id": str(world.stops[alight]),
            "passengers": [{"name": name, "phone": "+254700000003", "seat": seat} for seat, name in names.items()]}
    response = world.client("passenger").post("/api/v1/bookings", body, format="json",
                                              HTTP_IDEMPOTENCY_KEY=f"eticket-{next(_keys)}")
    assert response.status_code == 201, response.json()
    booking_id = UUID(response.json()["id"])
    ticketing_api.booking_confirm(booking_id=booking_id, principal=CASHIER, payment_ref="CASH")
    return booking_id


def cancel(world: SalesWorld, booking_id: UUID) -> None:
    """Cancel the booking as its passenger does."""
    response = world.client("passenger").post(f"/api/v1/bookings/{booking_id}/cancel")
    assert response.status_code == 200, response.json()
