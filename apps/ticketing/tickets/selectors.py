"""Reads of tickets: one ticket for its owner or the company's staff, and a trip's boarding manifest for the
devices of its drivers."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from apps.company import api as company_api
from apps.ticketing.access import may_see
from apps.ticketing.models import Boarding, Ticket
from transport.errors import Conflict, NotAuthenticated, NotFound
from transport.principal import Principal


@dataclass(frozen=True)
class TicketStop:
    stop_id: UUID
    sequence: int
    name: str


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    from_stop: TicketStop
    to_stop: TicketStop
    boarding: Boarding | None


def ticket_for(*, principal: Principal, ticket_id: UUID) -> Ticket:
    """The ticket if the caller may see its booking (its holder, or staff with view_bookings); NotFound else."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    ticket = Ticket.objects.select_related("booking", "passenger").filter(pk=ticket_id).first()
    if ticket is None or not may_see(principal, ticket.booking):
        raise NotFound("No such ticket.")
    return ticket


def ticket_detail(*, principal: Principal, ticket_id: UUID) -> TicketDetail:
    """The ticket with its stretch's stops and its boarding, if it boarded."""
    ticket = ticket_for(principal=principal, ticket_id=ticket_id)
    booking = ticket.booking
    stops = {stop.sequence: stop for stop in company_api.get_trip(trip_id=ticket.trip_id).stops}

    def stop(stop_id: UUID, sequence: int) -> TicketStop:
        known = stops.get(sequence)
        return TicketStop(stop_id=stop_id, sequence=sequence, name=known.name if known else "")

    return TicketDetail(ticket=ticket, from_stop=stop(booking.from_stop_id, booking.from_sequence),
                        to_stop=stop(booking.to_stop_id, booking.to_sequence),
                        boarding=Boarding.objects.filter(ticket_id=ticket.id).first())


def ticket_code_to_draw(*, principal: Principal, ticket_id: UUID) -> str:
    """The code of a ticket to draw as a QR image. A cancelled ticket has none to show: it boards no one."""
    ticket = ticket_for(principal=principal, ticket_id=ticket_id)
    if ticket.state == Ticket.State.CANCELLED:
        raise Conflict("This ticket is cancelled.", code="ticket_cancelled")
    if not ticket.code:
        raise Conflict("This ticket has no code yet.", code="ticket_without_code")
    return ticket.code
