"""Seat allotments: a block of seats set aside for one POS device keeps every other channel off them, the
device sells inside it without ever conflicting, and a release gives back what it has not sold."""

from __future__ import annotations

import pytest

from apps.ticketing.models import Booking, SeatAllotment, SeatHold
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import MY_ALLOTMENTS, allot, online_sale, register, revoke, sale, sell, sync
from transport.errors import Conflict
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

STRETCHES = [("Nairobi", "Nakuru"), ("Nakuru", "Kisumu"), ("Nairobi", "Kisumu")]


def _free(response_body: dict) -> dict[str, list[tuple[int, int]]]:
    return {seat["seat"]: [(s["from_sequence"], s["to_sequence"]) for s in seat["free"]]
            for seat in response_body["seats"]}


def test_a_dispatcher_allots_seats_to_a_device_on_the_whole_route(world):
    device = register(world)

    response = allot(world, device, "5A", "5B")

    assert response.status_code == 201
    body = response.json()
    assert body["device_id"] == str(device.id)
    assert body["state"] == "active"
    assert _free(body) == {"5A": [(1, 3)], "5B": [(1, 3)]}
    rows = SeatHold.objects.filter(allotment_id=body["id"])
    assert sorted((row.seat_label, row.state, row.stretch.lower, row.stretch.upper, row.booking_id) for row in rows) \
        == [("5A", "allotted", 1, 3, None), ("5B", "allotted", 1, 3, None)]


@pytest.mark.parametrize(("board", "alight"), STRETCHES)
def test_other_channels_cannot_take_an_allotted_seat_on_any_stretch(world, board, alight):
    device, other_device = register(world), register(world, name="Other POS")
    allot(world, device, "5A")

    with pytest.raises(Conflict) as online:
        hold(world, world.principal("passenger"), "5A", board=board, alight=alight)
    counter = world.client("agent").post("/api/v1/bookings", online_sale(world, "5A", board=board, alight=alight),
                                         format="json", HTTP_IDEMPOTENCY_KEY="counter-1")
    other = sell(other_device, online_sale(world, "5A", board=board, alight=alight))

    assert online.value.code == "seat_taken"
    assert (counter.status_code, counter.json()["code"]) == (409, "seat_taken")
    assert (other.status_code, other.json()["code"]) == (409, "seat_taken")
    assert Booking.objects.count() == 0


def test_a_seat_live_on_any_stretch_cannot_be_allotted(world):
    device = register(world)
    hold(world, world.principal("passenger"), "5A", board="Nakuru", alight="Kisumu")
    allot(world, register(world, name="Other POS"), "6A")

    held = allot(world, device, "5A", "5B")
    allotted = allot(world, device, "6A")

    assert (held.status_code, held.json()["code"]) == (409, "seat_taken")
    assert (allotted.status_code, allotted.json()["code"]) == (409, "seat_taken")
    assert SeatAllotment.objects.count() == 1
    assert not SeatHold.objects.filter(seat_label="5B").exists()


def test_a_lapsed_hold_does_not_stand_in_the_way_of_an_allotment(world):
    booking = hold(world, world.principal("passenger"), "5A")
    Booking.objects.filter(pk=booking.pk).update(expires_at=booking.created_at)
    SeatHold.objects.filter(booking=booking).update(expires_at=booking.created_at)

    response = allot(world, register(world), "5A")

    assert response.status_code == 201
    assert Booking.objects.get(pk=booking.pk).state == "expired"


def test_the_device_sells_touching_stretches_of_its_seats_offline_without_conflict(world):
    device = register(world)
    allot(world, device, "5A", "5B")

    response = sync(device, sale(world, "5A", alight="Nakuru"), sale(world, "5A", board="Nakuru"),
                    sale(world, "5B", board="Nakuru"))

    assert [(r["outcome"], r["seats"]) for r in response.json()["results"]] == [
        ("sold", ["5A"]), ("sold", ["5A"]), ("sold", ["5B"])]
    mine = device.client().get(MY_ALLOTMENTS).json()
    assert _free(mine[0]) == {"5A": [], "5B": [(1, 2)]}
    live = SeatHold.objects.filter(seat_label__in=["5A", "5B"], state__in=SeatHold.GUARDED_STATES)
    assert sorted((row.seat_label, row.state, row.stretch.lower, row.stretch.upper) for row in live) == [
        ("5A", "confirmed", 1, 2), ("5A", "confirmed", 2, 3), ("5B", "allotted", 1, 2), ("5B", "confirmed", 2, 3)]


def test_the_device_sells_inside_its_allotment_online_too(world):
    device = register(world)
    allot(world, device, "5A")

    response = sell(device, online_sale(world, "5A", board="Nakuru"))

    assert response.status_code == 201
    assert response.json()["state"] == "confirmed"
    assert SeatHold.objects.filter(seat_label="5A", state="allotted").values_list("stretch", flat=True)[0].upper == 2


def test_a_sale_on_a_part_no_longer_allotted_still_needs_the_seat_free(world):
    # given the device sold 5A Nairobi - Nakuru out of its allotment, and that sale was cancelled (seat free there)
    device = register(world)
    allot(world, device, "5A")
    first = sync(device, sale(world, "5A", alight="Nakuru")).json()["results"][0]
    Booking.objects.filter(pk=first["booking_id"]).update(state="cancelled")
    SeatHold.objects.filter(booking_id=first["booking_id"]).update(state="released")

    # when the device sells 5A end to end: the allotted part is carved, the freed part is general inventory
    again = sync(device, sale(world, "5A")).json()["results"][0]

    assert (again["outcome"], again["seats"]) == ("sold", ["5A"])
    assert not SeatHold.objects.filter(seat_label="5A", state="allotted").exists()


def test_release_frees_what_is_left_and_keeps_the_sales(world):
    device = register(world)
    allotment = allot(world, device, "6A", "6B").json()
    sold = sync(device, sale(world, "6A", alight="Nakuru")).json()["results"][0]

    released = world.client("dispatcher").post(f"/api/v1/allotments/{allotment['id']}/release")
    again = world.client("dispatcher").post(f"/api/v1/allotments/{allotment['id']}/release")

    assert released.status_code == 200
    assert released.json()["state"] == "released"
    assert _free(released.json()) == {"6A": [], "6B": []}
    assert again.status_code == 200
    assert Booking.objects.get(pk=sold["booking_id"]).state == "confirmed"
    assert not SeatHold.objects.filter(allotment_id=allotment["id"], state="allotted").exists()
    assert hold(world, world.principal("passenger"), "6A", board="Nakuru").state == "held"
    assert hold(world, world.principal("other_passenger"), "6B").state == "held"
    assert device.client().get(MY_ALLOTMENTS).json() == []


def test_staff_list_a_trips_allotments_with_what_is_still_free(world):
    device = register(world)
    first = allot(world, device, "7A").json()
    second = allot(world, device, "7B").json()
    sync(device, sale(world, "7B", board="Nakuru"))

    response = world.client("company_admin").get(f"/api/v1/trips/{world.trip_id}/allotments")

    assert response.status_code == 200
    assert [(a["id"], _free(a)) for a in response.json()] == [(second["id"], {"7B": [(1, 2)]}),
                                                              (first["id"], {"7A": [(1, 3)]})]


def test_a_device_reads_its_allotments_with_trip_stops_and_fares(world):
    device, other_device = register(world), register(world, name="Other POS")
    allot(world, device, "8A")
    allot(world, other_device, "8B")

    response = device.client().get(MY_ALLOTMENTS)

    assert response.status_code == 200
    [mine] = response.json()
    assert [seat["seat"] for seat in mine["seats"]] == ["8A"]
    assert mine["seats"][0]["seat_class"] == "standard"
    assert mine["trip"]["id"] == str(world.trip_id)
    assert [stop["stop_id"] for stop in mine["trip"]["stops"]] == [str(world.stops[t]) for t in
                                                                  ("Nairobi", "Nakuru", "Kisumu")]
    assert sorted(fare["amount_minor"] for fare in mine["fares"]) == [70_000, 80_000, 140_000]


def test_allotments_of_a_cancelled_trip_are_not_offered_to_the_device(world):
    device = register(world)
    allot(world, device, "8A")

    world.cancel_trip()

    assert device.client().get(MY_ALLOTMENTS).json() == []


@pytest.mark.parametrize(("seats", "status", "code"), [
    ([], 400, "validation_failed"),
    (["5A", "5A"], 422, "duplicate_seat"),
    (["99Z"], 422, "unknown_seat"),
    (["10D"], 422, "seat_not_sellable"),
    (["5A!"], 400, "validation_failed"),
])
def test_bad_seats_are_refused_and_nothing_is_allotted(world, seats, status, code):
    response = allot(world, register(world), *seats)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response["Content-Type"] == "application/problem+json"
    assert not SeatAllotment.objects.exists()
    assert not SeatHold.objects.exists()


def test_only_a_live_pos_device_of_the_company_receives_seats(world, other_world):
    revoked = register(world, name="Revoked POS")
    revoke(world, revoked)
    candidates = {"driver": register(world, role="driver"), "other company": register(other_world),
                  "revoked": revoked}

    answers = {name: allot(world, device, "5A") for name, device in candidates.items()}

    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == dict.fromkeys(
        candidates, (422, "unknown_device"))
    assert not SeatAllotment.objects.exists()


def test_a_cancelled_trip_cannot_be_allotted(world):
    world.cancel_trip()

    response = allot(world, register(world), "5A")

    assert (response.status_code, response.json()["code"]) == (422, "trip_not_on_sale")
    assert not SeatAllotment.objects.exists()


def test_allotting_replays_under_the_same_idempotency_key(world):
    device = register(world)

    first = allot(world, device, "5A", key="allot-1")
    again = allot(world, device, "5A", key="allot-1")
    missing = world.client("dispatcher").post(f"/api/v1/trips/{world.trip_id}/allotments",
                                              {"device_id": str(device.id), "seats": ["5B"]}, format="json")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert missing.status_code == 400
    assert SeatAllotment.objects.count() == 1


def test_a_cancelled_trip_releases_its_allotments(world):
    device = register(world)
    allot(world, device, "8A", "8B")
    world.cancel_trip()
    event = OutboxMessage.objects.get(event="company.trip_cancelled")

    apply_once(event_id=str(event.id), event=event.event, payload=event.payload, headers={},
               handler="apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")

    assert SeatAllotment.objects.get().state == "released"
    assert not SeatHold.objects.filter(state="allotted").exists()
