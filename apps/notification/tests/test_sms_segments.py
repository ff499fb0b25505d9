"""SMS segments counted as the networks bill them."""

from __future__ import annotations

import pytest

from apps.notification.segments import sms_segments


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is not split: 152 + 2 > 153
    ("Safari njema! Kiti 12A, Nairobi → Kisumu", "UCS-2", 40, 1),
    ("é à è ù ì ò Ç É Ñ ü", "GSM-7", 19, 1),  # French and German letters of the default alphabet
    ("ç" * 70, "UCS-2", 70, 1),
    ("ç" * 71, "UCS-2", 71, 2),
    ("ç" * 134, "UCS-2", 134, 2),
    ("ç" * 135, "UCS-2", 135, 3),
    ("🚌" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 code units
    ("🚌" * 36, "UCS-2", 72, 2),
    ("ç" * 66 + "🚌" + "ç" * 66, "UCS-2", 134, 3),  # a surrogate pair is not split: 66 + 2 > 67
])
def test_segments_are_counted_as_billed(text, encoding, units, segments):
    counted = sms_segments(text)

    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)


def test_the_characters_that_forced_ucs2_are_named_once_each_in_order():
    assert sms_segments("Tiketi ç ê ç →").non_gsm == "çê→"
    assert sms_segments("plain").non_gsm == ""
