"""What the apps above ticketing say about tickets to their passengers (messages, e-tickets): each ticket's
passenger, seat, stretch and code, read for a booking, a trip or by id. The reader needs ticketing.view_bookings
in the ticket's company (system readers hold it everywhere); tickets of other companies are left out."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q, QuerySet

from apps.ticketing.models import Ticket
from apps.ticketing.permissions import VIEW_BOOKINGS
from apps.ticketing.tickets.selectors import ticket_for
from transport.errors import NotAuthenticated
from transport.principal import Principal


@dataclass(frozen=True)
class TicketNotice:
    ticket_id: UUID
    number: str
    state: str  # valid | cancelled
    company_id: UUID
    trip_id: UUID
    booking_id: UUID
    booking_state: str
    channel: str  # online | counter | pos
    holder_user_id: UUID | None  # the account the booking was made under, if any
    passenger_name: str
    passenger_phone: str  # E.164, or "" when none was given
    passenger_type: str
    seat: str
    seat_class: str
    price_minor: int
    currency: str
    from_stop_id: UUID
    to_stop_id: UUID
    from_sequence: int
    to_sequence: int
    code: str  # the signed QR text; "" once cancelled
    issued_at: datetime
    refundable_minor: int | None  # what its booking's cancellation refunds, once cancelled


def _notice(ticket: Ticket) -> TicketNotice:
    booking, passenger = ticket.booking, ticket.passenger
    return TicketNotice(
        ticket_id=ticket.id, number=ticket.number, state=ticket.state, company_id=ticket.company_id,
        trip_id=ticket.trip_id, booking_id=booking.id, booking_state=booking.state, channel=booking.channel,
        holder_user_id=booking.created_by_user_id, passenger_name=passenger.name, passenger_phone=passenger.phone,
        passenger_type=passenger.passenger_type, seat=ticket.seat_label, seat_class=passenger.seat_class,
        price_minor=passenger.price_minor, currency=booking.currency, from_stop_id=booking.from_stop_id,
        to_stop_id=booking.to_stop_id, from_sequence=booking.from_sequence, to_sequence=booking.to_sequence,
        code=ticket.code if ticket.state == Ticket.State.VALID else "", issued_at=ticket.issued_at,
        refundable_minor=booking.refundable_minor)


def ticket_notices(*, principal: Principal, ticket_ids: Collection[UUID] = (), booking_id: UUID | None = None,
                   trip_id: UUID | None = None) -> list[TicketNotice]:
    """The tickets named (by id, of a booking, or of a trip: any of the three, together they add up) that the
    principal may read, booking by booking in the order they were made, each in seat-position order. A trip's
    cancelled tickets are included: its callers filter on state."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    wanted = Q(pk__in=list(ticket_ids))
    if booking_id is not None:
        wanted |= Q(booking_id=booking_id)
    if trip_id is not None:
        wanted |= Q(trip_id=trip_id)
    tickets: QuerySet[Ticket] = Ticket.objects.select_related("booking", "passenger").filter(wanted)
    companies = principal.companies_with(VIEW_BOOKINGS)
    if companies is not None:
        tickets = tickets.filter(company_id__in=companies)
    return [_notice(ticket) for ticket in tickets.order_by("booking__created_at", "booking_id", "passenger__position")]


def ticket_notice(*, principal: Principal, ticket_id: UUID) -> TicketNotice:
    """One ticket for its holder or the company's staff (what a ticket's own downloads show); NotFound else."""
    return _notice(ticket_for(principal=principal, ticket_id=ticket_id))
