"""How many segments an SMS takes, as the networks bill it (3GPP TS 23.038 and 23.040).

A message whose every character is in the GSM 7-bit default alphabet (or its extension table, at two septets
each: an escape and the character) is sent in GSM-7: 160 septets in one segment, 153 per segment once it is split
(the rest of each carries the concatenation header), an escape pair never split across two. Any other character
sends the whole message in UCS-2: 70 UTF-16 code units in one segment, 67 per segment once split, a surrogate
pair (an emoji) never split. One "ç" or "ê" doubles or triples the cost of a French message: the default
templates are written to stay in GSM-7."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    # the characters that forced UCS-2, in order of first appearance (empty in GSM-7)
    non_gsm: str = ""


def _parts(sizes: list[int], single: int, part: int) -> int:
    """Segments for characters of these sizes: one if they fit in `single`, else packed greedily into parts of
    `part` units, a character never split across two."""
    if sum(sizes) <= single:
        return 1 if sizes else 0
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def sms_segments(text: str) -> SegmentCount:
    """The encoding, size and segment count of `text` (an empty message still takes no segment)."""
    outside = "".join(dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION))
    if not outside:
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount(encoding="GSM-7", units=sum(sizes), segments=_parts(sizes, GSM7_SINGLE, GSM7_PART))
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentCount(encoding="UCS-2", units=sum(sizes), segments=_parts(sizes, UCS2_SINGLE, UCS2_PART),
                        non_gsm=outside)
