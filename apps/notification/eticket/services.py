"""Short links to e-tickets for SMS: f"{NOTIFICATION_TICKET_LINK_BASE_URL}/t/{code}", one per ticket.

A message sent again (a retry, a replay from the admin) carries the same link: the link is made once, and the
unique ticket_id makes that hold when two senders make it at the same moment."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings

from apps.notification.eticket.codes import new_code
from apps.notification.models import TicketLink

LINK_PATH = "/t/"
# a new code that collides with another ticket's (one chance in 10**11 per link made) is drawn again
CODE_DRAWS = 3


def ticket_link(*, ticket_id: UUID) -> str:
    """The absolute short URL of the ticket's PDF, made on the first call. One query once made, three to make it.
    The id is taken as the sender read it from ticketing: a link to no ticket would answer 404."""
    code = TicketLink.objects.filter(ticket_id=ticket_id).values_list("code", flat=True).first()
    if code is None:
        code = _link_create(ticket_id)
    return f"{settings.NOTIFICATION_TICKET_LINK_BASE_URL}{LINK_PATH}{code}"


def _link_create(ticket_id: UUID) -> str:
    for _ in range(CODE_DRAWS):
        # ON CONFLICT DO NOTHING: a concurrent sender's link for the ticket (committed, or committing: the insert
        # waits for it) wins, and is the one read back
        TicketLink.objects.bulk_create([TicketLink(ticket_id=ticket_id, code=new_code())], ignore_conflicts=True)
        code = TicketLink.objects.filter(ticket_id=ticket_id).values_list("code", flat=True).first()
        if code is not None:
            return code
    raise RuntimeError(f"No free ticket link code in {CODE_DRAWS} draws: the code space is exhausted.")
