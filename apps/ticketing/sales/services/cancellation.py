"""Cancelling: a hold simply frees its seats (and is no longer payable); a confirmed booking follows the company's
refund policy, frees its seats and publishes `ticket_cancelled` with what is refundable. A cancelled trip refunds
in full."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import access, payables, signals
from apps.ticketing.fares import services as promos
from apps.ticketing.inventory import services as inventory
from apps.ticketing.models import Boarding, Booking, Ticket
from apps.ticketing.permissions import CANCEL_BOOKINGS
from apps.ticketing.sales import selectors
from transport.errors import Conflict
from transport.events import publish
from transport.principal import Principal


def refund_percent(*, settings: company_api.CompanySettings, departs_at: datetime, now: datetime) -> int:
    """The company's policy: its full percentage up to the cut-off before departure, the late one after,
    nothing in the last `no_refund_hours` nor once the bus has left."""
    if now >= departs_at - timedelta(hours=settings.no_refund_hours):
        return 0
    if departs_at - now >= timedelta(hours=settings.cancellation_cutoff_hours):
        return settings.refund_percent
    return settings.late_refund_percent


@transaction.atomic
def booking_cancel(*, principal: Principal, booking_id: UUID) -> Booking:
    booking = selectors.booking_for(principal=principal, booking_id=booking_id, for_update=True)
    access.require_holder_or(principal, booking, CANCEL_BOOKINGS)
    if booking.state == Booking.State.HELD:
        promos.promo_uses_give_back(booking_ids=[booking.id])
        if booking.pay_reference:
            payables.payables_withdraw(principal=principal, booking_ids=[booking.id])
        return _cancel(booking, percent=0, reason="cancelled_by_customer")
    if booking.state != Booking.State.CONFIRMED:
        raise Conflict(f"A {booking.state} booking cannot be cancelled.", code="booking_not_cancellable")
    # its tickets locked first: a scan boarding one of them now either committed (and is seen below) or waits,
    # then finds the ticket cancelled (see boarding._still_valid)
    tickets = list(booking.tickets.select_for_update().order_by("id").values_list("id", flat=True))
    if Boarding.objects.filter(ticket_id__in=tickets).exists():
        raise Conflict("A passenger of this booking has boarded; it can no longer be cancelled.",
                       code="ticket_boarded")
    trip = company_api.get_trip(trip_id=booking.trip_id)
    departs_at = next(stop.depart_at for stop in trip.stops if stop.stop_id == booking.from_stop_id)
    settings = company_api.company_settings(company_id=booking.company_id)
    percent = refund_percent(settings=settings, departs_at=departs_at, now=timezone.now())
    return _cancel(booking, percent=percent, reason="cancelled_by_customer")


def trip_bookings_cancel(*, trip_id: UUID, reason: str) -> int:
    """Every live booking of a cancelled trip: tickets refundable in full, holds simply freed. Call it in a
    transaction: the trip's sales lock keeps confirmations out until the cancellations commit."""
    inventory.trip_sales_lock(trip_id, exclusive=True)
    bookings = Booking.objects.select_for_update().filter(
        trip_id=trip_id, state__in=[Booking.State.HELD, Booking.State.CONFIRMED]).order_by("created_at")
    return bookings_cancel_in_full(bookings=list(bookings), reason=reason)


def bookings_cancel_in_full(*, bookings: list[Booking], reason: str) -> int:
    """Cancel bookings the company cannot carry (locked by the caller): tickets refundable in full, holds freed
    and their payables withdrawn (no person acts: the releaser does, once for them all)."""
    payables.payables_withdraw(principal=payables.RELEASER, booking_ids=[
        booking.id for booking in bookings if booking.state == Booking.State.HELD and booking.pay_reference])
    for booking in bookings:
        if booking.state == Booking.State.HELD:
            promos.promo_uses_give_back(booking_ids=[booking.id])
        _cancel(booking, percent=100 if booking.state == Booking.State.CONFIRMED else 0, reason=reason)
    return len(bookings)


def _cancel(booking: Booking, *, percent: int, reason: str) -> Booking:
    now = timezone.now()
    refundable_total = 0
    for ticket in booking.tickets.select_related("passenger").filter(state=Ticket.State.VALID):
        refundable = ticket.passenger.price_minor * percent // 100
        refundable_total += refundable
        ticket.state = Ticket.State.CANCELLED
        ticket.cancelled_at = now
        ticket.save(update_fields=["state", "cancelled_at"])
        publish(signals.ticket_cancelled, signals.TicketCancelled(
            ticket_id=str(ticket.id), number=ticket.number, booking_id=str(booking.id), trip_id=str(booking.trip_id),
            company_id=str(booking.company_id), seat=ticket.seat_label, refundable_minor=refundable,
            currency=booking.currency, reason=reason))
    inventory.seats_release(booking=booking)
    booking.state = Booking.State.CANCELLED
    booking.cancelled_at = now
    booking.refundable_minor = refundable_total
    booking.save(update_fields=["state", "cancelled_at", "refundable_minor"])
    return booking
