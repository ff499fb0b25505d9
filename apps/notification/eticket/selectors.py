"""Reads of e-tickets: the ticket a short link leads to, and the language its e-ticket is written in."""

from __future__ import annotations

from uuid import UUID

from apps.company import api as company_api
from apps.notification.eticket.codes import is_code
from apps.notification.models import ContactPreference, TicketLink
from apps.ticketing import api as ticketing_api


def linked_ticket_id(*, code: str) -> UUID | None:
    """The ticket a code links to; None for anything that is not a code of a link (without a query when the text
    cannot be one)."""
    if not is_code(code):
        return None
    return TicketLink.objects.filter(code=code).values_list("ticket_id", flat=True).first()


def ticket_language(notice: ticketing_api.TicketNotice) -> str:
    """The language the ticket's holder chose for their messages (by account, else by the passenger's phone),
    else the company's."""
    chosen = ContactPreference.objects.exclude(language="")
    if notice.holder_user_id is not None:
        language = chosen.filter(user_id=notice.holder_user_id).values_list("language", flat=True).first()
        if language:
            return language
    if notice.passenger_phone:
        language = chosen.filter(address=notice.passenger_phone).values_list("language", flat=True).first()
        if language:
            return language
    return company_api.company_settings(company_id=notice.company_id).language
