"""Ticketing's handlers of other apps' events, run by Celery at least once, applied once by the kernel.

Each acts as a named system principal holding only what it needs."""

from __future__ import annotations

from uuid import UUID

from apps.company import api as company_api
from apps.company import signals as company_signals
from apps.payment import api as payment_api
from apps.payment import signals as payment_signals
from apps.ticketing import payables, signals
from apps.ticketing.models import Booking
from apps.ticketing.permissions import CONFIRM_BOOKING
from apps.ticketing.pos.services import allotments
from apps.ticketing.sales.services import cancellation, confirmation, reseating
from transport.errors import Conflict
from transport.events import Event, subscriber
from transport.principal import Principal

PAYMENT_CONFIRMER = Principal.system("ticketing.paid-bookings", {CONFIRM_BOOKING, payment_api.REQUEST_REFUNDS})
TICKET_REFUNDER = Principal.system("ticketing.cancelled-tickets", {payment_api.REQUEST_REFUNDS})
# a booking that can no longer be confirmed, whoever pays: its payment goes back
UNCONFIRMABLE = ("booking_not_confirmable", "trip_cancelled")


@subscriber(company_signals.trip_cancelled)
def cancel_bookings_of_cancelled_trip(event: Event[company_signals.TripCancelled]) -> None:
    trip_id = UUID(event.payload.trip_id)
    cancellation.trip_bookings_cancel(trip_id=trip_id, reason="trip_cancelled")
    allotments.trip_allotments_release(trip_id=trip_id)


@subscriber(company_signals.trip_bus_changed)
def reseat_passengers_of_swapped_bus(event: Event[company_signals.TripBusChanged]) -> None:
    # the layout the trip runs with now, not the event's: swaps handled out of order still end on the last bus
    reseating.trip_reseat(trip=company_api.get_trip(trip_id=UUID(event.payload.trip_id)))


@subscriber(payment_signals.payment_succeeded)
def confirm_paid_booking(event: Event[payment_signals.PaymentSucceeded]) -> None:
    """A booking's payment succeeded: confirm it through the one confirmation path. When the payment cannot buy
    it (its seats went to someone else after the hold lapsed, it was cancelled, its trip was cancelled) or it
    was already paid otherwise (another payment, cash), all of this payment goes back, in this transaction."""
    paid = event.payload
    booking_id = payables.booking_of(paid.subject)
    if booking_id is None:
        return  # another seller's subject, or money nobody expected: not ticketing's
    payment_id = UUID(paid.payment_id)
    payment_ref = f"{paid.provider}:{paid.transaction_id}"
    try:
        booking = confirmation.booking_confirm(booking_id=booking_id, principal=PAYMENT_CONFIRMER,
                                               payment_ref=payment_ref, paid_by_payment=payment_id)
    except Conflict as exc:
        if exc.code not in UNCONFIRMABLE:
            raise
        unfulfilled = exc.code
    else:
        if booking.state == Booking.State.CONFLICT:
            unfulfilled = "seats_taken_after_hold_lapsed"
        elif booking.payment_ref != payment_ref:
            unfulfilled = "paid_otherwise"
        else:
            return
    payment_api.refund_request(principal=PAYMENT_CONFIRMER, company_id=UUID(paid.company_id), subject=paid.subject,
                               key=f"unfulfilled:{payment_id}", reason=unfulfilled, amount_minor=None,
                               payment_id=payment_id)


@subscriber(signals.ticket_cancelled)
def refund_cancelled_ticket(event: Event[signals.TicketCancelled]) -> None:
    """What the company's policy gives back for a cancelled ticket, from what was paid for its booking (a
    provider's payment goes back through the provider, cash is paid out at the counter)."""
    cancelled = event.payload
    if cancelled.refundable_minor <= 0:
        return
    payment_api.refund_request(principal=TICKET_REFUNDER, company_id=UUID(cancelled.company_id),
                               subject=payables.subject_of(UUID(cancelled.booking_id)),
                               key=f"ticket:{cancelled.ticket_id}", amount_minor=cancelled.refundable_minor,
                               reason=cancelled.reason)
