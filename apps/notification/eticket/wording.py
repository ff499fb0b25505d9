"""What an e-ticket says, in each language of settings.LANGUAGES, and how it writes amounts and times there.

Labels live here rather than in gettext catalogs: the PDF is the one place that prints them, and a catalog would
need compiling with GNU gettext, which a bare-Python install lacks. Day and month names come from Django's own
catalogs (django.utils.dateformat under the language), which cover English, Swahili and French."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, translation

from apps.notification import wording as plain_wording

DATE_TIME_FORMAT = "l j F Y, H:i T"  # Monday 7 December 2026, 08:00 EAT


@dataclass(frozen=True)
class Wording:
    language: str
    title: str
    ticket: str
    passenger: str
    seat: str
    route: str
    departs: str
    arrives: str
    price: str
    issued: str
    cancelled: str
    cancelled_note: str
    scan_note: str
    # how amounts are written: the pattern, the thousands separator and the decimal mark
    money_pattern: str
    thousands: str
    decimal_mark: str

    def money(self, amount_minor: int, currency: str) -> str:
        """An exact amount in this language's way of writing numbers."""
        return plain_wording.money(amount_minor, currency, pattern=self.money_pattern, thousands=self.thousands,
                                   decimal_mark=self.decimal_mark)

    def moment(self, instant: datetime, timezone: str) -> str:
        """A time as read on the clocks of `timezone`, with the zone's abbreviation."""
        with translation.override(self.language):
            return dateformat.format(instant.astimezone(ZoneInfo(timezone)), DATE_TIME_FORMAT)


WORDINGS: dict[str, Wording] = {
    "en": Wording(
        language="en", title="E-ticket", ticket="Ticket", passenger="Passenger", seat="Seat", route="Route",
        departs="Departs", arrives="Arrives", price="Price", issued="Issued", cancelled="CANCELLED",
        cancelled_note="This ticket is cancelled: it is not valid for travel.",
        scan_note="Show this code to the crew when you board.",
        money_pattern="{currency} {amount}", thousands=",", decimal_mark=".",
    ),
    "sw": Wording(
        language="sw", title="Tiketi ya kielektroniki", ticket="Tiketi", passenger="Abiria", seat="Kiti",
        route="Njia", departs="Kuondoka", arrives="Kuwasili", price="Bei", issued="Imetolewa", cancelled="IMEFUTWA",
        cancelled_note="Tiketi hii imefutwa: haitumiki kwa safari.",
        scan_note="Onyesha msimbo huu kwa wahudumu unapopanda basi.",
        money_pattern="{currency} {amount}", thousands=",", decimal_mark=".",
    ),
    "fr": Wording(
        language="fr", title="Billet électronique", ticket="Billet", passenger="Passager", seat="Siège",
        route="Ligne", departs="Départ", arrives="Arrivée", price="Prix", issued="Émis le", cancelled="ANNULÉ",
        cancelled_note="Ce billet est annulé\u00a0: il n’est pas valable pour voyager.",
        scan_note="Présentez ce code à l’équipage à l’embarquement.",
        money_pattern="{amount}\u00a0{currency}", thousands="\u202f", decimal_mark=",",
    ),
}
DEFAULT_LANGUAGE = "en"


def wording_for(language: str) -> Wording:
    """The wording of a language; English for one the tickets are not written in."""
    return WORDINGS.get(language, WORDINGS[DEFAULT_LANGUAGE])
