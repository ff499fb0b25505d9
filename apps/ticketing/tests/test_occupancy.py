"""ticketing.api's seats per leg of a trip, as the live feeds show how full a bus is: confirmed seats are sold,
unexpired holds held, on every leg their stretch rides; lapsed holds and POS allotments carry nobody."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing import api
from apps.ticketing.models import SeatHold
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import allot, register
from transport.errors import NotFound
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


def sold(world, seat: str, board: str, alight: str) -> None:
    booking = hold(world, world.principal("passenger"), seat, board=board, alight=alight)
    api.booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="CASH")


def test_each_leg_counts_the_seats_sold_and_held_on_it(world):
    sold(world, "1A", "Nairobi", "Kisumu")
    sold(world, "1B", "Nairobi", "Nakuru")
    sold(world, "1C", "Nakuru", "Kisumu")
    hold(world, world.principal("other_passenger"), "2A", alight="Nakuru")
    lapsed = hold(world, world.principal("other_passenger"), "2B")
    SeatHold.objects.filter(booking=lapsed).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert allot(world, register(world), "5A", "5B").status_code == 201

    occupancy = api.trip_occupancy(trip_id=world.trip_id)

    assert occupancy == api.TripOccupancy(trip_id=world.trip_id, sellable_seats=39, legs=(
        api.LegOccupancy(from_sequence=1, to_sequence=2, sold=2, held=1),
        api.LegOccupancy(from_sequence=2, to_sequence=3, sold=2, held=0)))
    assert [leg.taken for leg in occupancy.legs] == [3, 2]
    assert (occupancy.leg_from(2), occupancy.leg_from(3)) == (occupancy.legs[1], None)


def test_several_trips_in_two_queries_and_ids_of_no_trip_left_out(world, django_assert_num_queries):
    later = world.another_trip()
    sold(world, "1A", "Nairobi", "Kisumu")
    api.trips_occupancy(trip_ids=[world.trip_id])  # the layout's seats are read once per process

    with django_assert_num_queries(2):
        found = api.trips_occupancy(trip_ids=[world.trip_id, later, uuid.uuid4()])

    assert {trip_id: [leg.sold for leg in found[trip_id].legs] for trip_id in found} == {
        world.trip_id: [1, 1], later: [0, 0]}


def test_a_trip_that_does_not_exist_is_not_found(world):
    with pytest.raises(NotFound):
        api.trip_occupancy(trip_id=uuid.uuid4())
