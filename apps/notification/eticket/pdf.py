"""The e-ticket: one PDF page per passenger, for the confirmation email and the ticket's downloads."""

from __future__ import annotations

from collections.abc import Sequence

from apps.notification.eticket.content import ticket_pages
from apps.notification.eticket.drawing import pages_pdf
from apps.notification.eticket.wording import wording_for
from apps.ticketing import api as ticketing_api


def eticket_pdf(*, notices: Sequence[ticketing_api.TicketNotice], language: str) -> bytes:
    """The tickets as a PDF, one page each in the order given, labelled in `language` (English for a language
    the tickets are not written in). A cancelled ticket is marked so and shows no QR code.
    ValueError for no tickets: a PDF needs a page."""
    if not notices:
        raise ValueError("An e-ticket needs at least one ticket.")
    wording = wording_for(language)
    return pages_pdf(ticket_pages(notices, wording), wording)
