"""Ticketing's handlers of payment's events and of its own cancellations, applied from the outbox rows as the kernel
applies them (once per event and handler, however often delivered): a payment confirms its booking, or goes back
whole when it cannot buy it; a cancelled ticket's refundable amount is asked back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.sales.services.cancellation import booking_cancel
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tasks import expire_holds
from apps.ticketing.tests.holding import hold
from tests.worlds.booking_payments import cash_of, ledger_of, payable_of, payment_confirmed, refunds_of, subject_of
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

CONFIRM = "apps.ticketing.receivers.confirm_paid_booking"
REFUND_TICKET = "apps.ticketing.receivers.refund_cancelled_ticket"


def _deliver(row: OutboxMessage, handler: str, times: int = 1) -> list[bool]:
    return [apply_once(event_id=str(row.id), event=row.event, payload=row.payload, headers=row.headers,
                       handler=handler) for _ in range(times)]


def _succeeded(payment_id) -> OutboxMessage:
    return OutboxMessage.objects.get(event="payment.payment_succeeded", payload__payment_id=str(payment_id))


def _paid(world, booking: Booking, amount_minor: int | None = None):
    return payment_confirmed(company_id=world.company_id, subject=subject_of(booking.id),
                             amount_minor=booking.total_minor if amount_minor is None else amount_minor)


def _lapse(booking: Booking) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.filter(pk=booking.pk).update(expires_at=past)
    SeatHold.objects.filter(booking=booking).update(expires_at=past)


def test_a_payment_delivered_five_times_confirms_its_booking_once(world):
    booking = hold(world, world.principal("passenger"), "1A", "1B")
    payment = _paid(world, booking)

    applied = _deliver(_succeeded(payment.id), CONFIRM, times=5)

    assert applied == [True, False, False, False, False]
    confirmed = Booking.objects.get(pk=booking.id)
    assert (confirmed.state, confirmed.payment_ref) == ("confirmed", f"mpesa:{payment.transaction_id}")
    assert Ticket.objects.filter(booking=booking).count() == 2
    assert OutboxMessage.objects.filter(event="ticketing.ticket_confirmed").count() == 2
    assert ledger_of(booking.id) == [("mpesa", "charge", 280_000, "KES")]
    assert refunds_of(booking.id) == []


def test_a_payment_after_the_hold_lapsed_still_buys_free_seats(world):
    booking = hold(world, world.principal("passenger"), "2A")
    _lapse(booking)
    expire_holds()
    payment = _paid(world, booking)

    _deliver(_succeeded(payment.id), CONFIRM)

    assert Booking.objects.get(pk=booking.id).state == "confirmed"
    assert refunds_of(booking.id) == []


def test_a_payment_after_the_hold_lapsed_and_its_seats_were_taken_goes_back_whole_once(world):
    booking = hold(world, world.principal("passenger"), "2A")
    _lapse(booking)
    hold(world, world.principal("other_passenger"), "2A")
    payment = _paid(world, booking)

    applied = _deliver(_succeeded(payment.id), CONFIRM, times=5)

    assert applied == [True, False, False, False, False]
    assert Booking.objects.get(pk=booking.id).state == "conflict"
    assert Ticket.objects.filter(booking=booking).count() == 0
    assert refunds_of(booking.id) == [(f"unfulfilled:{payment.id}", 140_000, "requested", payment.id)]


def test_a_payment_of_a_cancelled_booking_goes_back_whole(world):
    booking = hold(world, world.principal("passenger"), "3A")
    booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)
    payment = _paid(world, booking)

    _deliver(_succeeded(payment.id), CONFIRM)

    assert Booking.objects.get(pk=booking.id).state == "cancelled"
    assert refunds_of(booking.id) == [(f"unfulfilled:{payment.id}", 140_000, "requested", payment.id)]


def test_a_payment_of_a_lapsed_booking_on_a_trip_cancelled_since_goes_back_whole(world):
    booking = hold(world, world.principal("passenger"), "3B")
    _lapse(booking)
    expire_holds()
    world.cancel_trip()
    payment = _paid(world, booking)

    _deliver(_succeeded(payment.id), CONFIRM)

    assert Booking.objects.get(pk=booking.id).state == "expired"
    assert Ticket.objects.filter(booking=booking).count() == 0
    assert refunds_of(booking.id) == [(f"unfulfilled:{payment.id}", 140_000, "requested", payment.id)]


def test_a_payment_of_a_booking_the_counter_confirmed_for_cash_goes_back_whole(world):
    booking = hold(world, world.principal("passenger"), "4A")
    booking_confirm(booking_id=booking.id, principal=world.principal("agent"), payment_ref="CASH-4")
    payment = _paid(world, booking)

    _deliver(_succeeded(payment.id), CONFIRM)

    confirmed = Booking.objects.get(pk=booking.id)
    assert (confirmed.state, confirmed.payment_ref) == ("confirmed", "CASH-4")
    assert Ticket.objects.filter(booking=booking).count() == 1
    assert cash_of(booking.id) == [(140_000, "KES", f"user:{world.users['agent'].pk}")]
    assert refunds_of(booking.id) == [(f"unfulfilled:{payment.id}", 140_000, "requested", payment.id)]


def test_a_second_payment_of_a_paid_booking_goes_back_whole_and_the_first_stays(world):
    booking = hold(world, world.principal("passenger"), "4B")
    first = _paid(world, booking)
    _deliver(_succeeded(first.id), CONFIRM)
    second = _paid(world, booking)

    _deliver(_succeeded(second.id), CONFIRM)

    confirmed = Booking.objects.get(pk=booking.id)
    assert (confirmed.state, confirmed.payment_ref) == ("confirmed", f"mpesa:{first.transaction_id}")
    assert Ticket.objects.filter(booking=booking).count() == 1
    assert refunds_of(booking.id) == [(f"unfulfilled:{second.id}", 140_000, "requested", second.id)]


def test_a_payment_of_something_that_is_not_a_booking_is_left_alone(world):
    booking = hold(world, world.principal("passenger"), "5A")
    payment = payment_confirmed(company_id=world.company_id, subject=f"parcel:{booking.id}", amount_minor=140_000)

    assert _deliver(_succeeded(payment.id), CONFIRM) == [True]

    assert Booking.objects.get(pk=booking.id).state == "held"
    assert refunds_of(booking.id) == []
    assert payable_of(booking.id).state == "open"


def test_a_paid_booking_cancelled_by_its_passenger_asks_back_each_tickets_refundable_amount_once(world):
    booking = hold(world, world.principal("passenger"), "6A", "6B")
    payment = _paid(world, booking)
    _deliver(_succeeded(payment.id), CONFIRM)
    booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)
    cancelled = OutboxMessage.objects.filter(event="ticketing.ticket_cancelled").order_by("payload__seat")

    applied = [_deliver(row, REFUND_TICKET, times=5) for row in cancelled]

    assert applied == [[True, False, False, False, False]] * 2
    tickets = {t.seat_label: t.id for t in Ticket.objects.filter(booking=booking)}
    assert refunds_of(booking.id) == [(f"ticket:{tickets['6A']}", 126_000, "requested", payment.id),
                                      (f"ticket:{tickets['6B']}", 126_000, "requested", payment.id)]


def test_a_cash_booking_cancelled_with_the_trip_is_refunded_in_full_at_the_counter(world):
    booking = hold(world, world.principal("passenger"), "7A")
    booking_confirm(booking_id=booking.id, principal=world.principal("agent"))
    world.cancel_trip()
    trip_cancelled = OutboxMessage.objects.get(event="company.trip_cancelled")
    _deliver(trip_cancelled, "apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")

    _deliver(OutboxMessage.objects.get(event="ticketing.ticket_cancelled"), REFUND_TICKET)

    ticket = Ticket.objects.get(booking=booking)
    [(key, amount, state, _payment)] = refunds_of(booking.id)
    assert (key, amount, state) == (f"ticket:{ticket.id}", 140_000, "awaiting_cash")


def test_a_cancelled_ticket_with_nothing_refundable_asks_nothing_back(world):
    world.change_company(refund_percent=0)
    booking = hold(world, world.principal("passenger"), "8A")
    payment = _paid(world, booking)
    _deliver(_succeeded(payment.id), CONFIRM)
    booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)
    cancelled = OutboxMessage.objects.get(event="ticketing.ticket_cancelled")

    assert _deliver(cancelled, REFUND_TICKET) == [True]

    assert cancelled.payload["refundable_minor"] == 0
    assert refunds_of(booking.id) == []
