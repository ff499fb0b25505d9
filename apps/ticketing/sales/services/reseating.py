"""A trip's bus was swapped: the passengers follow it to seats of the new layout.

A booking keeps its seat when the new layout sells the same label in the same class. A displaced passenger
gets the first free seat of their class on their stretch (the exclusion constraint still judges every move);
a confirmed ticket that moves gets a fresh code and `ticket_seat_changed` tells the passenger. When the new
bus has no seat left for them, a confirmed booking is cancelled with a full refund and a hold is freed.
Seats allotted to POS devices that the new bus lacks are simply released.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.company import api as company_api
from apps.ticketing import signals
from apps.ticketing.inventory import services as inventory
from apps.ticketing.inventory import stretches
from apps.ticketing.inventory.seat_guard import seat_guard
from apps.ticketing.models import Booking, Passenger, SeatHold, Ticket
from apps.ticketing.sales.services import cancellation
from apps.ticketing.tickets import services as ticket_codes
from transport.events import publish

logger = logging.getLogger(__name__)

NO_SEAT_REASON = "no_seat_after_bus_change"


@dataclass
class Reseating:
    kept: int = 0
    moved: dict[int, str] = field(default_factory=dict)  # seat-hold row id -> its new seat
    cancelled_bookings: list[UUID] = field(default_factory=list)
    released_allotted: int = 0


def trip_reseat(*, trip: company_api.TripDetails) -> Reseating:
    """Fit the trip's live seats into the layout the trip now runs with. Idempotent: a second run keeps all."""
    seats = {seat.label: seat for seat in company_api.layout_seats(layout_version_id=trip.layout_version_id)
             if seat.sellable}
    outcome = Reseating()
    # the seats of the new bus, and those the trip's live rows sit on now: a hold made meanwhile can only be on
    # the former (holds are checked against the trip's layout), so the guard covers every seat a move touches
    live_labels = SeatHold.objects.filter(trip_id=trip.id, state__in=SeatHold.GUARDED_STATES).values_list(
        "seat_label", flat=True)
    with seat_guard(trip_id=trip.id, seat_labels={*seats, *live_labels}):
        rows = list(SeatHold.objects.select_for_update()
                    .filter(trip_id=trip.id, state__in=SeatHold.GUARDED_STATES)
                    .order_by("-state", "created_at", "id"))  # confirmed first, then held, then allotted
        booking_ids = {row.booking_id for row in rows if row.booking_id}
        passengers: dict[tuple[UUID | None, str], Passenger] = {
            (p.booking_id, p.seat_label): p for p in Passenger.objects.filter(booking_id__in=booking_ids)}
        staying: list[tuple[SeatHold, Passenger | None]] = []
        displaced: list[tuple[SeatHold, Passenger | None]] = []
        for row in rows:
            passenger = passengers.get((row.booking_id, row.seat_label))
            seat = seats.get(row.seat_label)
            fits = seat is not None and (passenger is None or seat.seat_class == passenger.seat_class)
            (staying if fits else displaced).append((row, passenger))
        outcome.kept = len(staying)
        taken = [(row.seat_label, row.stretch) for row, _passenger in staying]
        for row, passenger in displaced:
            if row.allotment_id is not None:
                row.state = SeatHold.State.RELEASED
                row.save(update_fields=["state"])
                outcome.released_allotted += 1
            elif row.booking_id in outcome.cancelled_bookings:
                continue
            else:
                # a row is an allotment's (released above) or a booking's, whose passenger sits in it
                assert row.booking_id is not None and passenger is not None
                if not _move(row, passenger, seats, taken, outcome, trip=trip):
                    _cancel_for_lack_of_seat(row.booking_id, outcome)
    return outcome


def _move(row: SeatHold, passenger: Passenger, seats: dict, taken: list, outcome: Reseating, *,
          trip: company_api.TripDetails) -> bool:
    for label, seat in seats.items():
        if seat.seat_class != passenger.seat_class:
            continue
        if any(label == other and stretches.stretches_overlap(row.stretch, stretch) for other, stretch in taken):
            continue
        old = row.seat_label
        try:
            with transaction.atomic():  # a savepoint: a hold made meanwhile on that seat makes the database refuse
                SeatHold.objects.filter(pk=row.pk).update(seat_label=label)
        except IntegrityError as exc:
            if not inventory.is_overlap_violation(exc):
                raise
            taken.append((label, row.stretch))
            continue
        Passenger.objects.filter(pk=passenger.pk).update(seat_label=label)
        taken.append((label, row.stretch))
        outcome.moved[row.pk] = label
        _ticket_follow(passenger, old=old, new=label, trip=trip)
        return True
    return False


def _ticket_follow(passenger: Passenger, *, old: str, new: str, trip: company_api.TripDetails) -> None:
    ticket = Ticket.objects.filter(passenger=passenger, state=Ticket.State.VALID).select_related("booking").first()
    if ticket is None:
        return
    ticket.seat_label = new
    ticket_codes.ticket_code_renew(ticket=ticket, trip=trip)  # saves the seat with its new code
    booking = ticket.booking
    publish(signals.ticket_seat_changed, signals.TicketSeatChanged(
        ticket_id=str(ticket.id), number=ticket.number, booking_id=str(booking.id), trip_id=str(booking.trip_id),
        company_id=str(booking.company_id), old_seat=old, new_seat=new, passenger_name=passenger.name,
        passenger_phone=passenger.phone))


def _cancel_for_lack_of_seat(booking_id: UUID, outcome: Reseating) -> None:
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    logger.warning("no seat for a booking after a bus change", extra={"booking_id": str(booking_id)})
    cancellation.bookings_cancel_in_full(bookings=[booking], reason=NO_SEAT_REASON)
    outcome.cancelled_bookings.append(booking_id)
