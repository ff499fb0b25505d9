"""The published interface of ticketing: keyword-only functions returning frozen dataclasses."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import payables
from apps.ticketing.inventory import selectors as inventory
from apps.ticketing.models import Booking, Ticket
from apps.ticketing.permissions import VIEW_BOOKINGS as VIEW_BOOKINGS  # published: what ticket_notices needs
from apps.ticketing.permissions import VIEW_SALES as VIEW_SALES  # published: what sales_report needs
from apps.ticketing.reporting import reporting_views as reporting_views  # published: its views for questions
from apps.ticketing.reports.selectors import SalesRow as SalesRow  # published
from apps.ticketing.reports.selectors import sales_report as sales_report  # published
from apps.ticketing.sales import selectors
from apps.ticketing.sales.services import confirmation
from apps.ticketing.tickets.notices import TicketNotice as TicketNotice  # published
from apps.ticketing.tickets.notices import ticket_notice as ticket_notice  # published
from apps.ticketing.tickets.notices import ticket_notices as ticket_notices  # published
from transport.errors import NotFound
from transport.principal import Principal


@dataclass(frozen=True)
class BookingView:
    id: UUID
    company_id: UUID
    trip_id: UUID
    from_stop_id: UUID
    to_stop_id: UUID
    state: str
    channel: str
    total_minor: int
    currency: str
    expires_at: datetime
    seats: tuple[str, ...]
    ticket_numbers: tuple[str, ...]
    holder_user_id: UUID | None = None  # the account it was made under (added later, with a default)


def _view(booking: Booking) -> BookingView:
    passengers = sorted(booking.passengers.all(), key=lambda p: p.position)
    return BookingView(
        id=booking.id, company_id=booking.company_id, trip_id=booking.trip_id, from_stop_id=booking.from_stop_id,
        to_stop_id=booking.to_stop_id, state=booking.state, channel=booking.channel, total_minor=booking.total_minor,
        currency=booking.currency, expires_at=booking.expires_at, seats=tuple(p.seat_label for p in passengers),
        ticket_numbers=tuple(sorted(t.number for t in booking.tickets.all())),
        holder_user_id=booking.created_by_user_id,
    )


def booking_get(*, booking_id: UUID, principal: Principal) -> BookingView:
    """A booking its holder or the company's staff may see; NotFound for anyone else."""
    return _view(selectors.booking_detail(principal=principal, booking_id=booking_id))


def booking_confirm(*, booking_id: UUID, principal: Principal, payment_ref: str | None = None,
                    channel: str | None = None, paid_by_payment: UUID | None = None) -> BookingView:
    """The one way to confirm a booking (counter, POS, payment): tickets issued, or `conflict` when the
    seats went to someone else after the hold lapsed. Needs ticketing.confirm_booking, and, unless
    `paid_by_payment` names the payment that paid it, payment.collect_cash: the principal took the total in cash."""
    booking = confirmation.booking_confirm(booking_id=booking_id, principal=principal, payment_ref=payment_ref,
                                           channel=channel, paid_by_payment=paid_by_payment)
    # the confirming principal was checked by the service; it may lack the right to browse bookings
    return _view(Booking.objects.prefetch_related("passengers", "tickets").get(pk=booking.id))


@dataclass(frozen=True)
class LegOccupancy:
    """The seats riding one leg of a trip, from a stop to the next one it calls at."""

    from_sequence: int  # the stop sequence the leg leaves
    to_sequence: int
    sold: int  # confirmed bookings' seats
    held: int  # seats held for a booking not yet paid (lapsed holds are free again)

    @property
    def taken(self) -> int:
        return self.sold + self.held


@dataclass(frozen=True)
class TripOccupancy:
    trip_id: UUID
    sellable_seats: int  # seats of the trip's layout that are sold at all (crew seats are not)
    legs: tuple[LegOccupancy, ...]  # in stop order, one per pair of consecutive stops

    def leg_from(self, sequence: int) -> LegOccupancy | None:
        """The leg leaving the stop of this sequence (None for the last stop or no such stop)."""
        return next((leg for leg in self.legs if leg.from_sequence == sequence), None)


def trips_occupancy(*, trip_ids: Collection[UUID]) -> dict[UUID, TripOccupancy]:
    """Seats taken on each leg of the trips, by trip id (ids of no trip are left out): public, as the seats left
    in a search are. Two queries, and one per seat layout version this process has not read yet."""
    trips = company_api.get_trips(trip_ids=trip_ids)
    counts = inventory.taken_by_leg(trips=trips, now=timezone.now())
    return {trip.id: TripOccupancy(
        trip_id=trip.id,
        sellable_seats=sum(seat.sellable for seat in company_api.layout_seats(
            layout_version_id=trip.layout_version_id)),
        legs=tuple(LegOccupancy(from_sequence=board, to_sequence=alight, sold=sold, held=held)
                   for board, alight, sold, held in counts[trip.id]),
    ) for trip in trips}


def trip_occupancy(*, trip_id: UUID) -> TripOccupancy:
    """Seats taken on each leg of one trip (NotFound for no such trip)."""
    found = trips_occupancy(trip_ids=[trip_id]).get(trip_id)
    if found is None:
        raise NotFound("No such trip.")
    return found
def trip_ticket_held(*, principal: Principal, trip_id: UUID) -> bool:
    """Whether the principal holds a valid ticket on the trip: a confirmed booking of theirs (bought under their
    account) with at least one ticket not cancelled. What lets a passenger follow their bus live."""
    if principal.user_id is None:
        return False
    return Ticket.objects.filter(trip_id=trip_id, state=Ticket.State.VALID,
                                 booking__created_by_user_id=principal.user_id,
                                 booking__state=Booking.State.CONFIRMED).exists()


def booking_of_subject(*, subject: str) -> UUID | None:
    """The booking a payment subject pays for ("booking:<id>"), None for anything else: what the apps above read
    a payment's events with."""
    return payables.booking_of(subject)
