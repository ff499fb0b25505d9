"""How values read in a message: money with its currency and thousands separated, times in the stop's own
timezone with day and month names in the message's language (Django's locale data), for templates that take
them as plain strings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation

from transport.money import to_text

TIME_FORMAT = "D j M H:i"  # "Sat 5 Dec 08:30", "Jmosi 5 Dis 08:30", "sam 5 Déc 08:30"
DAY_FORMAT = "l j F Y"


def money(amount_minor: int, currency: str) -> str:
    """12345600 KES -> "KES 123,456.00"; exact (integer minor units, never a float)."""
    text = to_text(amount_minor, currency)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, part = digits.partition(".")
    grouped = f"{int(whole):,}"
    return f"{currency} {sign}{grouped}{dot}{part}"


def local_time(at: datetime, *, timezone: str, language: str) -> str:
    """The moment as read on a clock where it happens."""
    with translation.override(language):
        return formats.date_format(at.astimezone(ZoneInfo(timezone)), TIME_FORMAT)


def day_name(at: date, *, language: str) -> str:
    with translation.override(language):
        return formats.date_format(at, DAY_FORMAT)
