"""Confirmation: tickets per passenger, late confirmations that still fit, and conflicts that refund."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing import api
from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tasks import expire_holds
from apps.ticketing.tests.holding import hold
from transport.errors import Conflict, NotFound, PermissionDenied
from transport.events.models import OutboxMessage
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


def _lapse(booking: Booking) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.filter(pk=booking.pk).update(expires_at=past)
    SeatHold.objects.filter(booking=booking).update(expires_at=past)


def test_confirmation_issues_one_ticket_per_passenger_and_announces_each(world):
    booking = hold(world, world.principal("passenger"), "1A", "1B", board="Nakuru")

    confirmed = api.booking_confirm(booking_id=booking.id, principal=world.principal("agent"), payment_ref="CASH-1")

    assert confirmed.state == "confirmed"
    assert confirmed.seats == ("1A", "1B")
    assert len(confirmed.ticket_numbers) == 2
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", number) for number in confirmed.ticket_numbers)
    assert sorted(SeatHold.objects.filter(booking_id=booking.id).values_list("state", flat=True)) == [
        "confirmed", "confirmed"]
    events = OutboxMessage.objects.filter(event="ticketing.ticket_confirmed").order_by("created_at")
    ticket = Ticket.objects.get(seat_label="1A")
    assert events.count() == 2
    assert events[0].payload == {
        "ticket_id": str(ticket.id), "number": ticket.number, "booking_id": str(booking.id),
        "trip_id": str(world.trip_id), "company_id": str(world.company_id), "seat": "1A",
        "from_stop_id": str(world.stops["Nakuru"]), "to_stop_id": str(world.stops["Kisumu"]),
        "passenger_name": "Rider 1A", "passenger_phone": "+254700000001", "code": ticket.code,
    }


def test_confirming_twice_issues_nothing_more(world):
    booking = hold(world, world.principal("passenger"), "1A")
    booking_confirm(booking_id=booking.id, principal=CASHIER)

    again = booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert again.state == "confirmed"
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.filter(event="ticketing.ticket_confirmed").count() == 1


def test_a_late_confirmation_of_still_free_seats_confirms(world):
    booking = hold(world, world.principal("passenger"), "2A")
    _lapse(booking)

    confirmed = booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="MP-2")

    assert confirmed.state == "confirmed"
    assert Ticket.objects.filter(booking=booking).count() == 1


def test_a_late_confirmation_after_the_sweep_still_confirms_free_seats(world):
    booking = hold(world, world.principal("passenger"), "2B")
    _lapse(booking)
    assert expire_holds() == 1

    confirmed = booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert confirmed.state == "confirmed"
    assert SeatHold.objects.get(booking=booking).state == "confirmed"


def test_a_late_confirmation_of_retaken_seats_is_a_conflict_with_a_refund(world):
    first = hold(world, world.principal("passenger"), "3A")
    _lapse(first)
    second = hold(world, world.principal("other_passenger"), "3A", board="Nakuru")

    late = booking_confirm(booking_id=first.id, principal=CASHIER, payment_ref="MP-3")

    assert late.state == "conflict"
    assert Ticket.objects.count() == 0
    assert SeatHold.objects.get(booking=second).state == "held"
    refund = OutboxMessage.objects.get(event="ticketing.booking_refund_required")
    assert refund.payload == {
        "booking_id": str(first.id), "trip_id": str(world.trip_id), "company_id": str(world.company_id),
        "amount_minor": 140_000, "currency": "KES", "payment_ref": "MP-3",
        "reason": "seats_taken_after_hold_lapsed",
    }


def test_a_conflicted_booking_is_not_confirmed_again(world):
    first = hold(world, world.principal("passenger"), "3A")
    _lapse(first)
    hold(world, world.principal("other_passenger"), "3A")
    booking_confirm(booking_id=first.id, principal=CASHIER)

    with pytest.raises(Conflict) as raised:
        booking_confirm(booking_id=first.id, principal=CASHIER)

    assert raised.value.code == "booking_not_confirmable"
    assert OutboxMessage.objects.filter(event="ticketing.booking_refund_required").count() == 1


def test_a_passenger_cannot_confirm_their_own_booking(world):
    booking = hold(world, world.principal("passenger"), "4A")

    with pytest.raises(PermissionDenied):
        booking_confirm(booking_id=booking.id, principal=world.principal("passenger"))

    assert Booking.objects.get(pk=booking.id).state == "held"
    assert Ticket.objects.count() == 0


def test_a_dispatcher_may_not_confirm(world):
    booking = hold(world, world.principal("passenger"), "4A")

    with pytest.raises(PermissionDenied):
        booking_confirm(booking_id=booking.id, principal=world.principal("dispatcher"))

    assert Ticket.objects.count() == 0


def test_a_driver_does_not_see_the_booking(world):
    booking = hold(world, world.principal("passenger"), "4A")

    with pytest.raises(NotFound):
        booking_confirm(booking_id=booking.id, principal=world.principal("driver"))

    assert Ticket.objects.count() == 0


def test_another_companys_agent_does_not_see_the_booking(world, other_world):
    booking = hold(world, world.principal("passenger"), "4A")

    with pytest.raises(NotFound):
        booking_confirm(booking_id=booking.id, principal=other_world.principal("agent"))

    assert Ticket.objects.count() == 0


def test_a_hold_on_a_trip_cancelled_since_is_not_confirmed(world):
    # the trip is cancelled after the seat was held, and the bookings' sweep has not reached this hold
    booking = hold(world, world.principal("passenger"), "6A")
    world.cancel_trip()

    with pytest.raises(Conflict) as refused:
        booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert refused.value.code == "trip_cancelled"
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert not Ticket.objects.exists()
