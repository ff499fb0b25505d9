"""The typeface of e-tickets: Noto Sans, embedded (subset) in every PDF so that any reader shows it the same.

PDF's standard fonts know Latin-1 only, and ReportLab's bundled Vera no more. Noto Sans draws Latin with its
African and European extensions (Ɓ ɗ ƙ ƴ Ɛ ɔ Ŋ Ō ẹ̀, Hausa, Akan, Yoruba, Swahili, French), Greek, Cyrillic,
Devanagari and Vietnamese, and the cedi and naira signs. Scripts it lacks (Arabic, Ethiopic, CJK) would need a
fallback font and, for Arabic, text shaping: names in them are drawn as empty boxes (see `missing_glyphs`).

The font comes from the fontpkg-noto-sans package (OFL-1.1, the upstream files unmodified). It is a variable font;
ReportLab draws its default instance, the regular weight, and headings are set in weight by a stroke."""

from __future__ import annotations

from functools import lru_cache

import fontpkg
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "Noto Sans"
FONT_NAME = "NotoSans"


@lru_cache(maxsize=1)
def ticket_font() -> str:
    """The registered font's name; reading the file (2 MB) happens once per process."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(fontpkg.path(FAMILY))))
    return FONT_NAME


def missing_glyphs(text: str) -> str:
    """The characters of `text` the font cannot draw (spaces and controls aside), in order of appearance."""
    font = pdfmetrics.getFont(ticket_font())
    drawable = font.face.charToGlyph  # type: ignore[attr-defined]
    seen: dict[str, None] = {}
    for char in text:
        if char.isprintable() and not char.isspace() and ord(char) not in drawable:
            seen.setdefault(char)
    return "".join(seen)
