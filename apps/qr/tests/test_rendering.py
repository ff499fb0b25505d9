"""QR images: a real PNG and a real SVG of the code, error correction M, a 4-module quiet zone."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output

import png
import pytest
import qrcode

from apps.qr import api

pytestmark = pytest.mark.django_db

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _modules(code: str) -> int:
    symbol = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    symbol.add_data(code, optimize=0)
    symbol.make(fit=True)
    return symbol.modules_count


def test_the_png_is_a_square_png_of_the_symbol_with_its_quiet_zone(code):
    image = api.ticket_code_png(code=code)

    width, height = struct.unpack(">II", image[16:24])  # the IHDR chunk follows the magic bytes
    rows = list(png.Reader(file=io.BytesIO(image)).read()[2])
    assert image[:8] == PNG_MAGIC
    assert image[12:16] == b"IHDR"
    assert width == height == (_modules(code) + 2 * 4) * 8
    assert len(rows) == height
    assert set(rows[0]) == {1}  # the quiet zone is light (1-bit greyscale: 1 is white)
    assert 0 in rows[4 * 8]  # the first row of the symbol has dark modules (the finder patterns)


def test_the_svg_is_xml_sized_to_the_symbol_with_its_quiet_zone(code):
    image = api.ticket_code_svg(code=code)

    root = ET.fromstring(image)  # noqa: S314 - our own output
    side = _modules(code) + 2 * 4
    assert image.decode("utf-8").startswith("<?xml")
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_the_longest_code_fits_a_version_6_symbol_at_error_correction_m(claims):
    code = api.ticket_code_sign(**{**claims, "seat_label": "ABCDEFGH"})

    assert len(code) == 135
    assert _modules(code) == 41  # version 6: 17 + 4 * 6
