"""POST /api/v1/pos/sales (an online cash sale from a device) and the shape rules of POST /api/v1/pos/sync:
bad input is a problem+json 4xx that writes nothing; a revoked device's sync is refused and changes nothing."""

from __future__ import annotations

import uuid

import pytest

from apps.ticketing.models import Booking, PosSale, SeatHold, Ticket
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import SALES, SYNC, online_sale, register, revoke, sale, sell, sync

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {"sales": PosSale.objects.count(), "bookings": Booking.objects.count(),
            "seats": SeatHold.objects.count(), "tickets": Ticket.objects.count()}


NOTHING = {"sales": 0, "bookings": 0, "seats": 0, "tickets": 0}


def test_a_device_sells_and_confirms_for_cash_in_one_step(world):
    device = register(world)
    sale_id = uuid.uuid4()

    response = sell(device, online_sale(world, "1A", "1B", board="Nakuru", sale_id=sale_id, cash_minor=140_000))

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["channel"], body["total_minor"]) == ("confirmed", "pos", 140_000)
    assert (body["sale_id"], body["cash_minor"]) == (str(sale_id), 140_000)
    assert sorted(t["seat"] for t in body["tickets"]) == ["1A", "1B"]
    row = PosSale.objects.get(pk=sale_id)
    assert (row.offline, row.outcome, str(row.booking_id), row.device_id) == (False, "sold", body["id"], device.id)
    assert Booking.objects.get(pk=body["id"]).payment_ref == f"cash:pos:{device.id}"


def test_without_a_sale_id_one_is_generated(world):
    response = sell(register(world), online_sale(world, "1A"))

    assert response.status_code == 201
    assert PosSale.objects.get(pk=response.json()["sale_id"]).booking_id == uuid.UUID(response.json()["id"])


def test_the_same_key_replays_the_sale(world):
    device = register(world)
    first = sell(device, online_sale(world, "1A"), key="sale-1")

    again = sell(device, online_sale(world, "1A"), key="sale-1")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _counts() == {"sales": 1, "bookings": 1, "seats": 1, "tickets": 1}


def test_the_same_sale_id_under_a_new_key_answers_the_same_booking_or_refuses_another_sale(world):
    device = register(world)
    sale_id = uuid.uuid4()
    first = sell(device, online_sale(world, "1A", sale_id=sale_id))

    same = sell(device, online_sale(world, "1A", sale_id=sale_id))
    other = sell(device, online_sale(world, "1B", sale_id=sale_id))

    assert (same.status_code, same.json()["id"]) == (201, first.json()["id"])
    assert (other.status_code, other.json()["code"]) == (422, "sale_id_reused")
    assert _counts() == {"sales": 1, "bookings": 1, "seats": 1, "tickets": 1}


def test_a_sale_id_rejected_offline_is_not_sold_online(world):
    device = register(world)
    sale_id = uuid.uuid4()
    world.cancel_trip()
    sync(device, sale(world, "1A", sale_id=sale_id))

    response = sell(device, online_sale(world, "1A", sale_id=sale_id))

    assert (response.status_code, response.json()["code"]) == (409, "sale_rejected")
    assert Booking.objects.count() == 0


def test_a_taken_seat_is_refused_online_and_nothing_is_recorded(world):
    hold(world, world.principal("passenger"), "1A", board="Nakuru")

    response = sell(register(world), online_sale(world, "1A"))

    assert (response.status_code, response.json()["code"]) == (409, "seat_taken")
    assert PosSale.objects.count() == 0


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"passengers": []}, 400, "validation_failed"),
    ({"passengers": [{"name": "Rider", "seat": "99Z"}]}, 422, "unknown_seat"),
    ({"to_stop_id": str(uuid.uuid4())}, 422, "stop_not_on_trip"),
    ({"trip_id": str(uuid.uuid4())}, 404, "not_found"),
    ({"cash_minor": -1}, 400, "validation_failed"),
    ({"sale_id": "not-a-uuid"}, 400, "validation_failed"),
    ({"made_at": "2026-01-01T00:00:00Z"}, 400, "validation_failed"),  # unknown field online
])
def test_bad_online_sales_are_refused_and_write_nothing(world, change, status, code):
    response = sell(register(world), {**online_sale(world, "1A"), **change})

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response["Content-Type"] == "application/problem+json"
    assert _counts() == NOTHING


def test_an_online_sale_needs_an_idempotency_key(world):
    response = register(world).client().post(SALES, online_sale(world, "1A"), format="json")

    assert response.status_code == 400
    assert _counts() == NOTHING


@pytest.mark.parametrize(("body", "code"), [
    ({"sales": []}, "validation_failed"),
    ({"sales": "1A"}, "validation_failed"),
    ({}, "validation_failed"),
    ({"sales": [{"id": "x"}]}, "validation_failed"),
])
def test_malformed_batches_are_refused(world, body, code):
    response = register(world).client().post(SYNC, body, format="json")

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert _counts() == NOTHING


def test_a_sale_without_an_id_refuses_the_batch(world):
    good, bad = sale(world, "1A"), sale(world, "1B")
    del bad["id"]

    response = sync(register(world), good, bad)

    assert response.status_code == 400
    assert response.json()["errors"] == {"sales.1.id": ["This field is required."]}
    assert _counts() == NOTHING


def _sold_and_rejected(response) -> list[tuple[str, str, str]]:
    return [(result["outcome"], result["reason"], result["detail"]) for result in response.json()["results"]]


@pytest.mark.parametrize(("field", "message"), [
    ("made_at", "made_at: This field is required."),
    ("passengers", "passengers: This field is required."),
])
def test_a_sale_missing_a_field_is_rejected_and_the_others_are_decided(world, field, message):
    good, bad = sale(world, "1A"), sale(world, "1B")
    del bad[field]

    response = sync(register(world), good, bad)

    assert response.status_code == 200
    assert _sold_and_rejected(response) == [("sold", "", ""), ("rejected", "invalid_sale", message)]
    assert [result["id"] for result in response.json()["results"]] == [good["id"], bad["id"]]
    assert _counts() == {"sales": 1, "bookings": 1, "seats": 1, "tickets": 1}
    assert list(PosSale.objects.values_list("id", flat=True)) == [uuid.UUID(good["id"])]


def test_a_time_without_its_utc_offset_is_rejected_and_the_others_are_decided(world):
    good, bad = sale(world, "1A"), {**sale(world, "1B"), "made_at": "2026-03-01T08:15:00"}

    response = sync(register(world), bad, good)

    assert response.status_code == 200
    assert _sold_and_rejected(response) == [
        ("rejected", "invalid_sale", "made_at: Give the time with its UTC offset (e.g. 2026-03-01T08:15:00+03:00)."),
        ("sold", "", "")]
    assert _counts() == {"sales": 1, "bookings": 1, "seats": 1, "tickets": 1}


def test_cash_beyond_what_the_database_holds_is_rejected_and_the_others_are_decided(world):
    good, bad = sale(world, "1A"), sale(world, "1B", cash_minor=2**63)

    response = sync(register(world), good, bad)

    assert response.status_code == 200
    assert _sold_and_rejected(response) == [
        ("sold", "", ""),
        ("rejected", "invalid_sale", "cash_minor: Ensure this value is less than or equal to 9223372036854775807.")]
    assert _counts() == {"sales": 1, "bookings": 1, "seats": 1, "tickets": 1}


@pytest.mark.parametrize("cash", [2**63, 2**64, 10**30])
def test_an_online_sale_with_cash_beyond_what_the_database_holds_is_a_400_and_writes_nothing(world, cash):
    response = sell(register(world), online_sale(world, "1A", cash_minor=cash))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {
        "cash_minor": ["Ensure this value is less than or equal to 9223372036854775807."]}
    assert _counts() == NOTHING


def test_an_online_sale_with_the_largest_cash_the_database_holds_is_sold(world):
    response = sell(register(world), online_sale(world, "1A", cash_minor=2**63 - 1))

    assert response.status_code == 201
    assert response.json()["cash_minor"] == 2**63 - 1


def test_an_oversize_batch_is_refused_whole(world, settings):
    settings.TICKETING_MAX_POS_SYNC_BATCH = 3

    response = sync(register(world), *[sale(world, seat) for seat in ("1A", "1B", "1C", "1D")])

    assert (response.status_code, response.json()["code"]) == (422, "batch_too_large")
    assert _counts() == NOTHING


def test_a_sale_twice_in_one_batch_refuses_the_batch(world):
    twice = sale(world, "1A")

    response = sync(register(world), sale(world, "1B"), twice, {**twice})

    assert (response.status_code, response.json()["code"]) == (422, "duplicate_sale_id")
    assert _counts() == NOTHING


def test_a_revoked_devices_sync_is_refused_and_changes_nothing(world):
    device = register(world)
    sync(device, sale(world, "1A"))
    before = _counts()
    revoke(world, device)

    response = sync(device, sale(world, "1B"), sale(world, "1C"))
    online = sell(device, online_sale(world, "1D"))

    assert response.status_code == online.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before
