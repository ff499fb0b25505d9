"""Confirming a booking: the one entry point for every path that turns a hold into tickets (staff at the
counter, an agent's cash sale, a payment that succeeded). Whatever is not paid through a payment was paid in
cash to whoever confirms: that cash goes into payment's ledger in the confirmation's transaction.

A confirmation that arrives after the hold lapsed still confirms if the seats are free on the stretch;
when another booking took them meanwhile, the database refuses the rows, the booking becomes `conflict`
and `booking_refund_required` is published: never two passengers on one seat.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import payables, signals
from apps.ticketing.fares import pricing
from apps.ticketing.fares import services as promos
from apps.ticketing.inventory import services as inventory
from apps.ticketing.inventory.seat_guard import Taking, seat_guard
from apps.ticketing.models import Booking, Channel, Passenger, PromoRedemption, Ticket
from apps.ticketing.permissions import CONFIRM_BOOKING
from apps.ticketing.sales import selectors
from apps.ticketing.tickets import services as ticket_codes
from apps.ticketing.trips import TRIP_CANCELLED
from transport.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from transport.events import publish
from transport.principal import Principal

# Crockford's base32: no I, L, O or U, so a number read aloud or typed is not mistaken
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 8
NUMBER_ATTEMPTS = 5


def booking_confirm(*, booking_id: UUID, principal: Principal, payment_ref: str | None = None,
                    channel: str | None = None, paid_by_payment: UUID | None = None) -> Booking:
    """Confirm a held (or lapsed) booking and issue its tickets; confirming a confirmed one again is a no-op.

    Needs ticketing.confirm_booking in the booking's company. Returns the booking in its final state:
    confirmed, or conflict when its seats went to someone else after the hold lapsed.
    `paid_by_payment`: the payment (payment's id) that paid it. Without one, the confirming principal took the
    booking's total in cash: it is recorded in payment's ledger in this transaction (payment.collect_cash).
    """
    first_look = Booking.objects.filter(pk=booking_id).first()
    if first_look is None:
        raise NotFound("No such booking.")
    if not principal.has(CONFIRM_BOOKING, company_id=first_look.company_id):
        # who may see the booking learns they may not confirm it; to anyone else it does not exist
        selectors.booking_for(principal=principal, booking_id=booking_id)
        raise PermissionDenied(f"Missing permission {CONFIRM_BOOKING}.")
    labels = list(Passenger.objects.filter(booking_id=booking_id).values_list("seat_label", flat=True))
    now = timezone.now()
    # its own rows are the ones it turns: nothing to refuse early, but lapsed holds in the way are expired
    taking = Taking(from_sequence=first_look.from_sequence, to_sequence=first_look.to_sequence, now=now)
    with seat_guard(trip_id=first_look.trip_id, seat_labels=labels, taking=taking, refuse_taken=False):
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.state == Booking.State.CONFIRMED:
            return booking
        if booking.state not in (Booking.State.HELD, Booking.State.EXPIRED):
            raise Conflict(f"A {booking.state} booking cannot be confirmed.", code="booking_not_confirmable")
        trip = _trip_not_cancelled(booking.trip_id)
        booking.payment_ref = payment_ref or ""
        if not _seats_confirmed(booking):
            return _conflict(booking)
        _promo_use_keep(booking)
        _confirmed(booking, trip=trip, now=now, channel=channel, passengers=booking.passengers.order_by("position"))
        if paid_by_payment is None:
            _cash_taken(booking, principal=principal)
        return booking


def fresh_hold_confirm(*, booking: Booking, principal: Principal, payment_ref: str, channel: str) -> Booking:
    """Confirm a hold made earlier in the caller's own transaction (a POS sale holds, then confirms, in one), sold
    for cash: the device's takings are recorded in payment's ledger (payment.collect_cash, through its role).

    Its seats' locks are this transaction's and its rows live and unseen by anyone else, so nothing is read back,
    locked again or expired in its way, and held rows turning confirmed cannot overlap anything they did not
    already; the trip is still read under its shared sales lock, as every confirmation reads it. Returns the
    booking with its passengers and tickets, as a prefetch would bring them.
    """
    if not principal.has(CONFIRM_BOOKING, company_id=booking.company_id):
        raise PermissionDenied(f"Missing permission {CONFIRM_BOOKING}.")
    if booking.state != Booking.State.HELD:
        raise Conflict(f"A {booking.state} booking cannot be confirmed.", code="booking_not_confirmable")
    trip = _trip_not_cancelled(booking.trip_id)
    inventory.seats_confirm(booking=booking)
    booking.payment_ref = payment_ref
    passengers = sorted(booking.passengers.all(), key=lambda passenger: passenger.position)
    tickets = _confirmed(booking, trip=trip, now=timezone.now(), channel=channel, passengers=passengers)
    _cash_taken(booking, principal=principal)
    booking._prefetched_objects_cache = {  # type: ignore[attr-defined]  # Django's prefetch cache
        "passengers": passengers, "tickets": tickets}
    return booking


def _confirmed(booking: Booking, *, trip: company_api.TripDetails, now: datetime, channel: str | None,
               passengers: Iterable[Passenger]) -> list[Ticket]:
    """Mark the booking confirmed (its seat rows are already) and issue one ticket per passenger."""
    booking.state = Booking.State.CONFIRMED
    booking.confirmed_at = now
    if channel:
        booking.channel = Channel(channel)
    booking.save(update_fields=["state", "confirmed_at", "payment_ref", "channel"])
    valid_until = ticket_codes.code_valid_until(trip=trip, to_sequence=booking.to_sequence)
    return [_ticket_issue(booking, passenger, code_valid_until=valid_until) for passenger in passengers]


def _cash_taken(booking: Booking, *, principal: Principal) -> None:
    payables.cash_record(principal=principal, company_id=booking.company_id, booking_id=booking.id,
                         amount_minor=booking.total_minor, currency=booking.currency)


def _trip_not_cancelled(trip_id: UUID) -> company_api.TripDetails:
    """Read the trip under its shared sales lock: a trip cancelled since the seats were held sells nothing
    more, even if its bookings were swept before this one was held."""
    inventory.trip_sales_lock(trip_id, exclusive=False)
    trip = company_api.get_trip(trip_id=trip_id)
    if trip.status == TRIP_CANCELLED:
        raise Conflict("This trip was cancelled; nothing more is sold on it.", code="trip_cancelled")
    return trip


def _seats_confirmed(booking: Booking) -> bool:
    """Confirm the booking's rows; False when the database refuses because the seats went elsewhere."""
    try:
        with transaction.atomic():  # a savepoint: the refusal must not abort the booking's transaction
            inventory.seats_confirm(booking=booking)
    except IntegrityError as exc:
        if inventory.is_overlap_violation(exc):
            return False
        raise
    return True


def _conflict(booking: Booking) -> Booking:
    booking.state = Booking.State.CONFLICT
    booking.save(update_fields=["state", "payment_ref"])
    inventory.seats_release(booking=booking)
    promos.promo_uses_give_back(booking_ids=[booking.id])
    publish(signals.booking_refund_required, signals.BookingRefundRequired(
        booking_id=str(booking.id), trip_id=str(booking.trip_id), company_id=str(booking.company_id),
        amount_minor=booking.total_minor, currency=booking.currency, payment_ref=booking.payment_ref,
        reason="seats_taken_after_hold_lapsed"))
    return booking


def _promo_use_keep(booking: Booking) -> None:
    """A booking confirmed after its hold lapsed gave its promo use back: count it again if the code still has
    one. If not, the price frozen at the hold (and paid) is honoured without a count over the limit."""
    if booking.promo_id is None or PromoRedemption.objects.filter(booking=booking).exists():
        return
    discount = pricing.promo_discount_minor((a["name"], a["amount_minor"]) for p in booking.passengers.all()
                                            for a in p.adjustments)
    try:
        with transaction.atomic():
            promos.promo_redeem(promo_id=booking.promo_id, booking=booking, holder=booking.holder,
                                discount_minor=discount)
    except ValidationFailed:
        return


def _ticket_issue(booking: Booking, passenger: Passenger, *, code_valid_until: datetime) -> Ticket:
    # the code names the ticket, so its id is drawn first and the row is written once, code included
    ticket_id = uuid.uuid4()
    code = ticket_codes.ticket_code_make(company_id=booking.company_id, ticket_id=ticket_id, trip_id=booking.trip_id,
                                         seat_label=passenger.seat_label, from_sequence=booking.from_sequence,
                                         to_sequence=booking.to_sequence, valid_until=code_valid_until)
    for _attempt in range(NUMBER_ATTEMPTS):
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        try:
            with transaction.atomic():  # a savepoint: a clashing number is drawn again
                ticket = Ticket.objects.create(id=ticket_id, company_id=booking.company_id, booking=booking,
                                               passenger=passenger, trip_id=booking.trip_id, number=number,
                                               seat_label=passenger.seat_label, code=code)
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Could not draw a free ticket number; try again.", code="ticket_number_exhausted")
    publish(signals.ticket_confirmed, signals.TicketConfirmed(
        ticket_id=str(ticket.id), number=ticket.number, booking_id=str(booking.id), trip_id=str(booking.trip_id),
        company_id=str(booking.company_id), seat=ticket.seat_label, from_stop_id=str(booking.from_stop_id),
        to_stop_id=str(booking.to_stop_id), passenger_name=passenger.name, passenger_phone=passenger.phone,
        code=ticket.code))
    return ticket
