"""POST /api/v1/bookings and a booking's own endpoints: shapes, idempotency, limits, bad input."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, SeatHold
from transport.idempotency.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings"


def _body(world, *seats: str, board: str = "Nairobi", alight: str = "Kisumu") -> dict:
    return {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops[board]),
            "to_stop_id": str(world.stops[alight]),
            "passengers": [{"name": f"Rider {seat}", "phone": "+254700000003", "seat": seat} for seat in seats]}


def _post(client, body, key="key-1"):
    return client.post(BOOKINGS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_passenger_holds_seats(world):
    response = _post(world.client("passenger"), _body(world, "1A", "1B", board="Nakuru"))

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "held"
    assert body["channel"] == "online"
    assert body["total_minor"] == 140_000
    assert body["currency"] == "KES"
    assert body["tickets"] == []
    assert body["passengers"] == [
        {"name": "Rider 1A", "phone": "+254700000003", "type": "adult", "seat": "1A", "seat_class": "standard",
         "fare_minor": 70_000, "adjustments": [], "price_minor": 70_000},
        {"name": "Rider 1B", "phone": "+254700000003", "type": "adult", "seat": "1B", "seat_class": "standard",
         "fare_minor": 70_000, "adjustments": [], "price_minor": 70_000},
    ]


def test_an_agent_sells_at_the_counter(world):
    response = _post(world.client("agent"), _body(world, "1A"))

    assert response.status_code == 201
    assert response.json()["channel"] == "counter"


def test_the_same_key_replays_the_same_booking(world):
    client = world.client("passenger")
    first = _post(client, _body(world, "2A"))

    again = _post(client, _body(world, "2A"))

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Booking.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(world):
    client = world.client("passenger")
    _post(client, _body(world, "2A"))

    response = _post(client, _body(world, "2B"))

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_a_booking_needs_an_idempotency_key(world):
    response = world.client("passenger").post(BOOKINGS, _body(world, "1A"), format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_missing"
    assert Booking.objects.count() == 0


def test_an_anonymous_caller_cannot_book(world):
    response = _post(world.client(None), _body(world, "1A"))

    assert response.status_code == 401
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"trip_id": "not-a-uuid"}, "trip_id"),
    ({"passengers": []}, "passengers.non_field_errors"),
    ({"passengers": [{"name": "X", "seat": "1A", "type": "pensioner"}]}, "passengers.0.type"),
    ({"passengers": [{"name": "X", "seat": "1A", "phone": "call me"}]}, "passengers.0.phone"),
    ({"passengers": [{"name": "X", "seat": "1A", "age": 30}]}, "passengers.0.age"),
    ({"seats": ["1A"]}, "seats"),
])
def test_bad_input_is_a_problem_and_writes_nothing(world, change, field):
    response = _post(world.client("passenger"), {**_body(world, "1A"), **change})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_failed"
    assert list(response.json()["errors"]) == [field]
    assert Booking.objects.count() == 0


def test_a_taken_seat_is_a_409_problem(world):
    _post(world.client("passenger"), _body(world, "3A", board="Nakuru"), key="a")

    response = _post(world.client("other_passenger"), _body(world, "3A"), key="b")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "seat_taken"
    assert Booking.objects.count() == 1


def test_an_unsellable_seat_is_a_422_problem(world):
    response = _post(world.client("passenger"), _body(world, "10D"))

    assert response.status_code == 422
    assert response.json()["code"] == "seat_not_sellable"
    assert Booking.objects.count() == 0


def test_an_unknown_trip_is_a_404(world):
    body = {**_body(world, "1A"), "trip_id": "00000000-0000-0000-0000-000000000001"}

    response = _post(world.client("passenger"), body)

    assert response.status_code == 404
    assert Booking.objects.count() == 0


def test_too_many_holds_is_a_429(world, settings):
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1
    client = world.client("passenger")
    _post(client, _body(world, "1A"), key="a")

    response = _post(client, _body(world, "1B"), key="b")

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_holds"
    assert Booking.objects.count() == 1
    # a 429 asks to try again later: its key is free for that retry
    assert IdempotencyRecord.objects.count() == 1


def test_a_passenger_cancels_their_hold_and_the_seat_is_free_again(world):
    client = world.client("passenger")
    booking_id = _post(client, _body(world, "4A"), key="a").json()["id"]

    response = client.post(f"{BOOKINGS}/{booking_id}/cancel")

    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert response.json()["refundable_minor"] == 0
    assert SeatHold.objects.get(booking_id=booking_id).state == "released"
    assert _post(world.client("other_passenger"), _body(world, "4A"), key="b").status_code == 201


def test_a_live_hold_is_extended(world):
    client = world.client("passenger")
    booking_id = _post(client, _body(world, "5A")).json()["id"]
    Booking.objects.filter(pk=booking_id).update(expires_at=timezone.now() + timedelta(minutes=1))

    response = client.post(f"{BOOKINGS}/{booking_id}/extend")

    assert response.status_code == 200
    assert response.json()["extensions"] == 1
    booking = Booking.objects.get(pk=booking_id)
    assert booking.expires_at > timezone.now() + timedelta(minutes=9)
    assert SeatHold.objects.get(booking_id=booking_id).expires_at == booking.expires_at


def test_extensions_are_limited(world, settings):
    settings.TICKETING_MAX_HOLD_EXTENSIONS = 1
    client = world.client("passenger")
    booking_id = _post(client, _body(world, "5A")).json()["id"]
    client.post(f"{BOOKINGS}/{booking_id}/extend")

    response = client.post(f"{BOOKINGS}/{booking_id}/extend")

    assert response.status_code == 422
    assert response.json()["code"] == "extension_limit"
    assert Booking.objects.get(pk=booking_id).extensions == 1


def test_a_lapsed_hold_cannot_be_extended(world):
    client = world.client("passenger")
    booking_id = _post(client, _body(world, "5A")).json()["id"]
    Booking.objects.filter(pk=booking_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(f"{BOOKINGS}/{booking_id}/extend")

    assert response.status_code == 409
    assert response.json()["code"] == "hold_not_live"
    assert Booking.objects.get(pk=booking_id).extensions == 0


def test_a_pos_terminal_sells_on_the_pos_channel_with_its_own_limit(world, settings):
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE = 2
    pos = world.pos_client()
    _post(world.client("agent"), _body(world, "6A"), key="agent")

    first = _post(pos, _body(world, "6B"), key="a")
    second = _post(pos, _body(world, "6C"), key="b")
    third = _post(pos, _body(world, "6D"), key="c")

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert first.json()["channel"] == "pos"
    assert third.json()["code"] == "too_many_holds"
    assert Booking.objects.filter(channel="pos").count() == 2


def test_sales_close_shortly_before_departure(world):
    soon = timezone.localtime(timezone.now(), ZoneInfo("Africa/Nairobi")) + timedelta(minutes=10)
    trip_id = world.another_trip(day=soon.date(), at=soon.time().replace(second=0, microsecond=0))

    response = _post(world.client("passenger"), {**_body(world, "1A"), "trip_id": str(trip_id)})

    assert response.status_code == 422
    assert response.json()["code"] == "sales_closed"
    assert Booking.objects.count() == 0
