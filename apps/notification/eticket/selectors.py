"""Reads of e-tickets: the ticket a short link leads to, and the language its e-ticket is written in."""

from __future__ import annotations

from uuid import UUID

from apps.notification.audience import preferred_language
from apps.notification.eticket.codes import is_code
from apps.notification.models import TicketLink
from apps.ticketing import api as ticketing_api


def linked_ticket_id(*, code: str) -> UUID | None:
    """The ticket a code links to; None for anything that is not a code of a link (without a query when the text
    cannot be one)."""
    if not is_code(code):
        return None
    return TicketLink.objects.filter(code=code).values_list("ticket_id", flat=True).first()


def ticket_language(notice: ticketing_api.TicketNotice) -> str:
    """The language the ticket's holder chose for their messages (by account, else by the passenger's phone),
    else the company's: the language of the ticket's messages."""
    return preferred_language(company_id=notice.company_id, user_id=notice.holder_user_id,
                              addresses=[notice.passenger_phone])
