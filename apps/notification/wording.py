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


def money(amount_minor: int, currency: str, *, pattern: str = "{currency} {amount}", thousands: str = ",",
          decimal_mark: str = ".") -> str:
    """12345600 KES -> "KES 123,456.00"; exact (integer minor units, never a float), the currency's own number of
    places. The defaults are plain GSM-7, for SMS; an e-ticket passes its language's separators."""
    whole, _, fraction = to_text(amount_minor, currency).partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    groups = [digits[max(0, end - 3):end] for end in range(len(digits), 0, -3)][::-1]
    amount = sign + thousands.join(groups) + (decimal_mark + fraction if fraction else "")
    return pattern.format(amount=amount, currency=currency)


def local_time(at: datetime, *, timezone: str, language: str) -> str:
    """The moment as read on a clock where it happens."""
    with translation.override(language):
        return formats.date_format(at.astimezone(ZoneInfo(timezone)), TIME_FORMAT)


def day_name(at: date, *, language: str) -> str:
    with translation.override(language):
        return formats.date_format(at, DAY_FORMAT)
