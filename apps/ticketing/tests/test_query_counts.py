"""Query counts of the hot paths, pinned: a hold, the seat map and trip search do not grow with the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ticketing.inventory import selectors as availability
from apps.ticketing.models import Booking
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import bearer_client, sale_day

pytestmark = pytest.mark.django_db

# trip, company settings, fares, fare rules, the early taken-seat check (the layout's seats are kept per process:
# versions never change; it also tells that no lapsed hold is in the way); then in the transaction (a savepoint
# and its release under the test's transaction): the seat and holder locks with their bound, the holder's live
# holds, the payable (payment's INSERT, in a savepoint of its own so that a clashing reference is drawn again:
# three statements), the booking, its passengers, its seats
HOLD_QUERIES = 15
# POST /api/v1/bookings as a signed-in passenger, every statement the connection sends: BEGIN, the
# Idempotency-Key's claim, the hold's queries above (its transaction a savepoint in the request's), the stored
# answer, COMMIT. The bearer token is verified without a query; the answer is built from the rows just written.
HTTP_HOLD_ROUND_TRIPS = 19
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


@pytest.mark.django_db(transaction=True)
def test_a_hold_over_http_is_one_transaction_of_a_fixed_number_of_round_trips(world):
    client = bearer_client(world.users["passenger"])
    body = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops["Nairobi"]),
            "to_stop_id": str(world.stops["Kisumu"]),
            "passengers": [{"name": "Amina", "phone": "+254700000002", "seat": "8A"}]}
    warm = {**body, "passengers": [{"name": "Amina", "phone": "+254700000002", "seat": "1A"}]}
    client.post("/api/v1/bookings", warm, format="json", HTTP_IDEMPOTENCY_KEY="warm")  # per-process role cache

    with CaptureQueriesContext(connection) as sent:
        response = client.post("/api/v1/bookings", body, format="json", HTTP_IDEMPOTENCY_KEY="one-transaction")

    statements = [query["sql"] for query in sent.captured_queries]
    assert response.status_code == 201
    assert len(statements) == HTTP_HOLD_ROUND_TRIPS
    assert (statements[0], statements[-1]) == ("BEGIN", "COMMIT")
    assert statements.count("BEGIN") == statements.count("COMMIT") == 1
    assert Booking.objects.filter(holder__endswith=str(world.users["passenger"].pk)).count() == 2
