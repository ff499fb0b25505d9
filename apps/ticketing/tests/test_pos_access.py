"""Who may call each POS and allotment endpoint: staff of the trip's company allot, the company's agent devices
sell; another company's staff or devices find nothing (404), other roles are refused (403), anonymous 401."""

from __future__ import annotations

import itertools
import uuid

import pytest
from rest_framework.test import APIClient

from apps.ticketing.models import Booking, PosSale, SeatAllotment
from apps.ticketing.tests.pos_devices import MY_ALLOTMENTS, SALES, SYNC, allot, online_sale, register, sale

pytestmark = pytest.mark.django_db

USERS = {"passenger": "passenger", "agent user": "agent", "driver user": "driver", "dispatcher": "dispatcher",
         "company admin": "company_admin"}
STAFF = {"dispatcher", "company admin"}
SELLERS = {"agent device"}
SEATS = itertools.cycle([f"{row}{letter}" for row in range(1, 10) for letter in "ABCD"])


@pytest.fixture
def callers(world, other_world) -> dict[str, APIClient]:
    found = {"anonymous": APIClient(), "other company admin": other_world.client("company_admin"),
             "agent device": register(world).client(), "driver device": register(world, role="driver").client(),
             "other company device": register(other_world).client()}
    found.update({name: world.client(role) for name, role in USERS.items()})
    return found


def _statuses(callers: dict[str, APIClient], call) -> dict[str, int]:
    return {name: call(client).status_code for name, client in callers.items()}


def _expected(success: int, *, winners: set[str], tenants: int = 404, users: int = 403, passenger: int = 403,
              other_device: int = 404) -> dict[str, int]:
    expected = {"anonymous": 401, "passenger": passenger, "agent user": users, "driver user": users,
                "dispatcher": users, "company admin": users, "other company admin": tenants,
                "agent device": 403, "driver device": 403, "other company device": other_device}
    expected.update(dict.fromkeys(winners, success))
    return expected


def test_allotting_seats(world, callers):
    device = register(world)

    statuses = _statuses(callers, lambda client: client.post(
        f"/api/v1/trips/{world.trip_id}/allotments", {"device_id": str(device.id), "seats": [next(SEATS)]},
        format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex))

    assert statuses == _expected(201, winners=STAFF, passenger=404)
    assert SeatAllotment.objects.count() == 2


def test_listing_a_trips_allotments(world, callers):
    allot(world, register(world), "5A")

    statuses = _statuses(callers, lambda client: client.get(f"/api/v1/trips/{world.trip_id}/allotments"))

    assert statuses == _expected(200, winners=STAFF, passenger=404)


def test_releasing_an_allotment(world, callers):
    allotment = allot(world, register(world), "5A").json()

    statuses = _statuses(callers, lambda client: client.post(f"/api/v1/allotments/{allotment['id']}/release"))

    assert statuses == _expected(200, winners=STAFF, passenger=404)
    assert SeatAllotment.objects.get(pk=allotment["id"]).state == "released"


def test_a_refused_release_changes_nothing(world, callers):
    allotment = allot(world, register(world), "5A").json()

    for name in set(callers) - STAFF:
        callers[name].post(f"/api/v1/allotments/{allotment['id']}/release")

    assert SeatAllotment.objects.get(pk=allotment["id"]).state == "active"


def test_reading_the_devices_own_allotments(world, callers):
    statuses = _statuses(callers, lambda client: client.get(MY_ALLOTMENTS))

    assert statuses == _expected(200, winners=SELLERS | {"other company device"}, tenants=403)


def test_selling_online(world, callers):
    statuses = _statuses(callers, lambda client: client.post(
        SALES, online_sale(world, next(SEATS)), format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex))

    assert statuses == _expected(201, winners=SELLERS, tenants=403)
    assert PosSale.objects.count() == Booking.objects.count() == 1


def test_syncing_offline_sales(world, callers):
    statuses = _statuses(callers, lambda client: client.post(SYNC, {"sales": [sale(world, next(SEATS))]},
                                                             format="json"))

    assert statuses == _expected(200, winners=SELLERS | {"other company device"}, tenants=403)
    # the other company's device was answered per sale: the trip does not exist for it
    assert list(PosSale.objects.values_list("outcome", "reason").order_by("outcome")) == [
        ("rejected", "unknown_trip"), ("sold", "")]
    assert Booking.objects.count() == 1


def test_staff_are_told_to_sell_through_bookings(world):
    response = world.client("agent").post(SYNC, {"sales": [sale(world, "1A")]}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "device_required")
