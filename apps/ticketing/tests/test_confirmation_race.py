"""A payment confirming a lapsed hold races a new passenger holding and buying the same seat: whoever wins,
one seat never carries two tickets. With the Redis lock, and with the database alone."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.sales.services.bookings import booking_hold
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import riders
from apps.ticketing.tests.racing import race
from tests.worlds.ticketing import build_sales_world
from transport.errors import Conflict
from transport.principal import Principal

SEATS = [f"{row}{letter}" for row in range(1, 8) for letter in "ABCD"][:25]
CASHIER = Principal.system("ticketing-race-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locks_enabled", [True, False], ids=["with-lock", "database-alone"])
def test_a_late_confirmation_racing_a_new_hold_never_sells_a_seat_twice(settings, locks_enabled):
    # given 25 seats held by one passenger whose holds have lapsed
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = len(SEATS)
    world = build_sales_world()
    first, second = world.principal("passenger"), world.principal("other_passenger")
    lapsed = {seat: booking_hold(principal=first, trip_id=world.trip_id, from_stop_id=world.stops["Nairobi"],
                                 to_stop_id=world.stops["Kisumu"], passengers=riders(seat)).id for seat in SEATS}
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.update(expires_at=past)
    SeatHold.objects.update(expires_at=past)

    # when, for every seat at once, the late payment confirms while another passenger holds and buys it
    def attempt(number: int) -> tuple[str, str]:
        seat = SEATS[number // 2]
        if number % 2 == 0:
            return seat, "late:" + booking_confirm(booking_id=lapsed[seat], principal=CASHIER).state
        try:
            booking = booking_hold(principal=second, trip_id=world.trip_id, from_stop_id=world.stops["Nakuru"],
                                   to_stop_id=world.stops["Kisumu"], passengers=riders(seat))
        except Conflict as exc:
            return seat, "new:" + exc.code
        return seat, "new:" + booking_confirm(booking_id=booking.id, principal=CASHIER).state

    outcomes = race(2 * len(SEATS), attempt)

    # then each seat has exactly one valid ticket, going to whichever side won, and the other side lost cleanly
    per_seat = {seat: sorted(outcome for s, outcome in outcomes if s == seat) for seat in SEATS}
    assert set(map(tuple, per_seat.values())) <= {("late:confirmed", "new:seat_taken"),
                                                   ("late:conflict", "new:confirmed")}
    assert Counter(Ticket.objects.filter(state="valid").values_list("seat_label", flat=True)) == Counter(SEATS)
    late_lost = sum(1 for outcomes_of_seat in per_seat.values() if "late:conflict" in outcomes_of_seat)
    assert Booking.objects.filter(pk__in=lapsed.values(), state="conflict").count() == late_lost
