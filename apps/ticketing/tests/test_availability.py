"""The public seat map and trip search: each seat's state on a stretch, seats left and the lowest fare."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import SeatHold
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import sale_day
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})
SELLABLE_SEATS = 39


def _states(response) -> dict[str, str]:
    return {seat["label"]: seat["state"] for seat in response.json()["seats"] if seat["state"] != "free"}


def test_the_seat_map_shows_each_seats_state_on_the_stretch(world):
    booking_confirm(booking_id=hold(world, world.principal("passenger"), "1A", board="Nakuru").id, principal=CASHIER)
    hold(world, world.principal("other_passenger"), "1B", alight="Nakuru")
    lapsed = hold(world, world.principal("other_passenger"), "1C")
    SeatHold.objects.filter(booking=lapsed).update(expires_at=timezone.now() - timedelta(seconds=1))

    whole = world.client(None).get(f"/api/v1/trips/{world.trip_id}/seats")
    first_leg = world.client(None).get(f"/api/v1/trips/{world.trip_id}/seats",
                                       {"from": str(world.stops["Nairobi"]), "to": str(world.stops["Nakuru"])})

    assert whole.status_code == 200
    assert _states(whole) == {"1A": "sold", "1B": "held", "10D": "blocked"}
    assert _states(first_leg) == {"1B": "held", "10D": "blocked"}
    body = first_leg.json()
    assert (body["currency"], body["rows"], body["columns"], body["aisle_columns"]) == ("KES", 10, 5, [3])
    assert body["seats"][0] == {"label": "1A", "deck": 1, "row": 1, "col": 1, "seat_class": "standard",
                                "state": "free", "price_minor": 80_000}


@pytest.mark.parametrize(("query", "status", "code"), [
    ({"from": "not-a-uuid"}, 400, "validation_failed"),
    ({"colour": "red"}, 400, "validation_failed"),
])
def test_a_bad_seat_map_query_is_a_problem(world, query, status, code):
    response = world.client(None).get(f"/api/v1/trips/{world.trip_id}/seats", query)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_a_backwards_stretch_on_the_seat_map_is_a_422(world):
    response = world.client(None).get(f"/api/v1/trips/{world.trip_id}/seats",
                                      {"from": str(world.stops["Kisumu"]), "to": str(world.stops["Nairobi"])})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_stretch"


def test_an_unknown_trip_has_no_seat_map(world):
    response = world.client(None).get("/api/v1/trips/00000000-0000-0000-0000-000000000001/seats")

    assert response.status_code == 404


def test_search_by_town_shows_seats_left_and_the_lowest_fare(world):
    hold(world, world.principal("passenger"), "1A", "1B", alight="Nakuru")
    hold(world, world.principal("other_passenger"), "2A", board="Nakuru")

    response = world.client(None).get("/api/v1/trips", {"from": "nairobi", "to": "Nakuru",
                                                        "date": sale_day().isoformat()})

    assert response.status_code == 200
    [found] = response.json()
    assert found["trip_id"] == str(world.trip_id)
    assert found["seats_left"] == SELLABLE_SEATS - 2
    assert found["lowest_fare_minor"] == 80_000
    assert found["currency"] == "KES"
    assert found["board"]["stop_id"] == str(world.stops["Nairobi"])
    assert found["alight"]["stop_id"] == str(world.stops["Nakuru"])


def test_search_by_stop_ids_on_the_second_leg(world):
    hold(world, world.principal("passenger"), "1A", "1B", alight="Nakuru")
    hold(world, world.principal("other_passenger"), "2A", board="Nakuru")

    response = world.client(None).get("/api/v1/trips", {"from": str(world.stops["Nakuru"]),
                                                        "to": str(world.stops["Kisumu"]),
                                                        "date": sale_day().isoformat()})

    [found] = response.json()
    assert found["seats_left"] == SELLABLE_SEATS - 1
    assert found["lowest_fare_minor"] == 70_000


def test_search_on_another_day_finds_nothing(world):
    response = world.client(None).get("/api/v1/trips", {"from": "Nairobi", "to": "Kisumu",
                                                        "date": (sale_day() + timedelta(days=3)).isoformat()})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("query", [{"from": "Nairobi", "to": "Kisumu"}, {"from": "Nairobi", "to": "Kisumu",
                                                                          "date": "tomorrow"}])
def test_a_bad_search_is_a_400(world, query):
    response = world.client(None).get("/api/v1/trips", query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["date"]


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-02", "0001-01-01"])
def test_a_search_at_the_ends_of_the_calendar_is_a_400_problem(world, day):
    response = world.client(None).get("/api/v1/trips", {"from": "Nairobi", "to": "Kisumu", "date": day})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"date": ["Give a date from 1900-01-01 to 9999-12-01."]}


def test_a_search_on_the_last_date_of_the_calendar_finds_nothing(world):
    response = world.client(None).get("/api/v1/trips", {"from": "Nairobi", "to": "Kisumu", "date": "9999-12-01"})

    assert (response.status_code, response.json()) == (200, [])
