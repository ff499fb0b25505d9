"""QR images of ticket codes, drawn by the `qrcode` library.

Error correction M (15% of the symbol may be damaged or dirty, a common choice for printed and
phone-screen tickets) and the 4-module quiet zone the QR standard asks for. A code is all uppercase
base32, so the symbol uses alphanumeric mode: the longest code (135 characters) fits a version 6
symbol (41x41 modules, 49 with the quiet zone).
PNGs are written by the pure-python pypng backend.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage

BORDER_MODULES = 4
PNG_PIXELS_PER_MODULE = 8  # 49 modules with the quiet zone -> 392 px: sharp on screens and printers


def png(text: str) -> bytes:
    return _render(text, PyPNGImage, box_size=PNG_PIXELS_PER_MODULE)


def svg(text: str) -> bytes:
    # SvgPathImage: one <path> for all dark modules, sized in mm by box_size (10 -> 1 mm per module)
    return _render(text, SvgPathImage, box_size=10)


def _render(text: str, factory: type, *, box_size: int) -> bytes:
    symbol = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=BORDER_MODULES,
        box_size=box_size,
        image_factory=factory,
    )
    symbol.add_data(text, optimize=0)
    symbol.make(fit=True)
    out = io.BytesIO()
    symbol.make_image().save(out)
    return out.getvalue()
