"""A bus swap re-seats the trip's passengers on the new layout: same seat when it exists, else a free seat of
their class on their stretch, else a full refund; never two passengers on one seat."""

from __future__ import annotations

import pytest

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.sales.services.reseating import trip_reseat
from apps.ticketing.tests.holding import hold
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})
HANDLER = "apps.ticketing.receivers.reseat_passengers_of_swapped_bus"


def _sold(world, *seats: str, **stretch) -> Booking:
    booking = hold(world, world.principal("passenger"), *seats, **stretch)
    return booking_confirm(booking_id=booking.id, principal=CASHIER)


def _deliver() -> bool:
    event = OutboxMessage.objects.filter(event="company.trip_bus_changed").latest("created_at")
    return apply_once(event_id=str(event.id), event=event.event, payload=event.payload, headers={}, handler=HANDLER)


def _live_seats() -> list[tuple[str, int, int]]:
    rows = SeatHold.objects.filter(state__in=["held", "confirmed"])
    return sorted((r.seat_label, r.stretch.lower, r.stretch.upper) for r in rows)


def test_passengers_keep_seats_the_new_bus_has_and_the_others_move_to_free_ones(world):
    kept = _sold(world, "2A")
    moved = _sold(world, "8A")
    held = hold(world, world.principal("other_passenger"), "9C")
    world.swap_to_small_bus(rows=5)

    assert _deliver() is True

    assert Ticket.objects.get(booking=kept).seat_label == "2A"
    ticket = Ticket.objects.get(booking=moved)
    new_seat = ticket.seat_label
    assert qr_api.ticket_code_read(code=ticket.code).seat_label == new_seat  # the code follows the seat
    assert new_seat in {f"{r}{c}" for r in range(1, 6) for c in "ABCD"} - {"2A"}
    assert Booking.objects.get(pk=moved.id).passengers.get().seat_label == new_seat
    assert Booking.objects.get(pk=held.id).state == "held"
    held_seat = SeatHold.objects.get(booking=held).seat_label
    assert held_seat not in {"2A", new_seat, "9C"}
    changed = OutboxMessage.objects.get(event="ticketing.ticket_seat_changed")
    assert (changed.payload["old_seat"], changed.payload["new_seat"]) == ("8A", new_seat)
    assert len({label for label, *_ in _live_seats()}) == 3


def test_touching_stretches_may_share_the_seat_they_move_to(world):
    _sold(world, "8A", alight="Nakuru")
    _sold(world, "8B", board="Nakuru")
    _sold(world, "1A", "1B", "1C", "1D")
    _sold(world, "2A", "2B", "2C")  # leaves 2D the only free seat of rows 1-2
    world.swap_to_small_bus(rows=2)

    _deliver()

    live = _live_seats()
    assert ("2D", 1, 2) in live and ("2D", 2, 3) in live  # stop sequences start at 1
    assert Booking.objects.filter(state="cancelled").count() == 0


def test_a_passenger_the_new_bus_cannot_seat_is_refunded_in_full(world):
    full = _sold(world, *[f"1{c}" for c in "ABCD"])
    extra = _sold(world, "9A")
    world.swap_to_small_bus(rows=1)

    _deliver()

    assert Booking.objects.get(pk=full.id).state == "confirmed"
    cancelled = Booking.objects.get(pk=extra.id)
    assert (cancelled.state, cancelled.refundable_minor) == ("cancelled", 140_000)
    refund = OutboxMessage.objects.get(event="ticketing.ticket_cancelled")
    assert refund.payload["reason"] == "no_seat_after_bus_change"
    assert len(_live_seats()) == 4


def test_reseating_twice_changes_nothing_more(world):
    _sold(world, "8A")
    world.swap_to_small_bus(rows=5)
    _deliver()
    before = _live_seats()

    again = trip_reseat(trip=company_api.get_trip(trip_id=world.trip_id))

    assert (again.moved, again.cancelled_bookings, _live_seats()) == ({}, [], before)
