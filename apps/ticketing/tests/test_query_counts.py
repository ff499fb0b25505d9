"""Query counts of the hot paths, pinned: a hold, the seat map and trip search do not grow with the data."""

from __future__ import annotations

import pytest

from apps.ticketing.inventory import selectors as availability
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import sale_day

pytestmark = pytest.mark.django_db

# trip, company settings, fares, fare rules, the early taken-seat check (the layout's seats are kept per process:
# versions never change); then in the transaction (a savepoint and its release under the test's transaction):
# the holder's advisory lock, its live holds, lapsed holds in the way, the booking, its passengers, its seats
HOLD_QUERIES = 13
# trip, layout, company settings, live rows, fares
SEAT_MAP_QUERIES = 5
# company's search (2), live rows of the trips found, their fares (the layouts' seats are kept per process)
SEARCH_QUERIES = 4


def test_a_hold_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    passenger = world.principal("passenger")
    hold(world, passenger, "1A")

    with django_assert_num_queries(HOLD_QUERIES):
        hold(world, passenger, "2A", "2B", "2C")


def test_the_seat_map_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    for seat in ("1A", "1B", "1C"):
        hold(world, world.principal("passenger"), seat, alight="Nakuru")

    with django_assert_num_queries(SEAT_MAP_QUERIES):
        availability.seat_map(trip_id=world.trip_id)


def test_search_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    world.another_trip()
    hold(world, world.principal("passenger"), "1A")

    with django_assert_num_queries(SEARCH_QUERIES):
        found = availability.trips_search(on=sale_day(), from_stop_ids=[], to_stop_ids=[], from_town="Nairobi",
                                          to_town="Kisumu")

    assert len(found) == 1
