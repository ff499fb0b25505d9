"""Trip lifecycle: status moves, delays, cancellations and bus swaps, each published as a JSON-safe event
in the same transaction."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.company.models import Trip
from apps.company.services import fleet, trips
from apps.company.tests.world import ad_hoc_trip
from transport.events.models import OutboxMessage

BASE = "/api/v1/company"


def _events(name: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(event=f"company.{name}").order_by("created_at")]


def _common(trip: Trip) -> dict:
    return {"trip_id": str(trip.id), "company_id": str(trip.company_id), "route_id": str(trip.route_id),
            "departure_at": trip.departure_at.isoformat()}


def test_cancelling_publishes_trip_cancelled(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/cancel", {"reason": "Flooded road"},
                                                  format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert _events("trip_cancelled") == [{**_common(trip), "reason": "Flooded road"}]


def test_a_delay_publishes_trip_delayed(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/delay",
                                                  {"minutes": 45, "reason": "Traffic at Naivasha"}, format="json")
    assert response.status_code == 200
    assert (response.json()["delay_minutes"], response.json()["delay_reason"]) == (45, "Traffic at Naivasha")
    assert _events("trip_delayed") == [{**_common(trip), "delay_minutes": 45, "reason": "Traffic at Naivasha"}]


def test_a_bus_swap_publishes_both_buses_and_layouts(tenant_a):
    # given a VIP bus with its own layout
    vip = fleet.layout_create(principal=tenant_a.admin, company_id=tenant_a.company.id, name="36-seat VIP",
                              plan={"decks": 1, "rows": 12, "columns": 4, "aisle_columns": [2],
                                    "seats": [{"label": f"{r}{c}", "row": r, "col": col, "seat_class": "vip"}
                                              for r in range(1, 13) for c, col in (("A", 1), ("B", 3), ("C", 4))]})
    vip_bus = fleet.bus_create(principal=tenant_a.admin, company_id=tenant_a.company.id, plate="KVP 001V",
                               layout_id=vip.id)
    trip = ad_hoc_trip(tenant_a)
    old_layout = trip.layout_version_id
    # when the trip moves to the VIP bus
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/bus", {"bus_id": str(vip_bus.id)},
                                                  format="json")
    # then the trip is sold on the VIP layout and the swap is announced
    assert response.status_code == 200
    assert response.json()["layout_version_id"] == str(vip.current_version_id)
    assert _events("trip_bus_changed") == [{
        **_common(trip), "old_bus_id": str(tenant_a.bus.id), "new_bus_id": str(vip_bus.id),
        "old_layout_version_id": str(old_layout), "new_layout_version_id": str(vip.current_version_id)}]


def test_the_trip_moves_through_its_statuses_in_order(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    client = tenant_a.client("dispatcher")
    statuses = [client.post(f"{BASE}/trips/{trip.id}/status", {"move": move}, format="json").json()["status"]
                for move in ("board", "depart", "arrive")]
    assert statuses == ["boarding", "departed", "arrived"]
    assert [len(_events(name)) for name in ("trip_boarding", "trip_departed", "trip_arrived")] == [1, 1, 1]
    assert set(_events("trip_departed")[0]) == {"trip_id", "company_id", "route_id", "departure_at", "at"}


@pytest.mark.parametrize(("done", "move"), [(["board"], "board"), ([], "arrive"),
                                            (["depart", "arrive"], "depart")])
def test_a_move_out_of_order_is_refused(tenant_a, done, move):
    trip = ad_hoc_trip(tenant_a)
    for step in done:
        trips.trip_move(principal=tenant_a.admin, trip_id=trip.id, move=step)
    status_before, events_before = Trip.objects.get(pk=trip.id).status, OutboxMessage.objects.count()
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/status", {"move": move}, format="json")
    assert response.status_code == 409
    assert Trip.objects.get(pk=trip.id).status == status_before
    assert OutboxMessage.objects.count() == events_before


def test_a_departed_trip_cannot_be_cancelled(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    trips.trip_move(principal=tenant_a.admin, trip_id=trip.id, move="depart")
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/cancel", {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert _events("trip_cancelled") == []


def test_every_company_event_payload_round_trips_through_json(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    trips.trip_delay(principal=tenant_a.admin, trip_id=trip.id, minutes=10, reason="")
    trips.trip_change_bus(principal=tenant_a.admin, trip_id=trip.id, bus_id=tenant_a.spare_bus.id)
    for move in ("board", "depart", "arrive"):
        trips.trip_move(principal=tenant_a.admin, trip_id=trip.id, move=move)
    other = ad_hoc_trip(tenant_a)
    trips.trip_cancel(principal=tenant_a.admin, trip_id=other.id, reason="none")
    payloads = list(OutboxMessage.objects.filter(event__startswith="company.").values_list("event", "payload"))
    assert sorted(name for name, _ in payloads) == sorted(
        f"company.{n}" for n in ("trip_delayed", "trip_bus_changed", "trip_boarding", "trip_departed",
                                 "trip_arrived", "trip_cancelled"))
    assert all(json.loads(json.dumps(payload)) == payload for _, payload in payloads)


def test_a_new_trip_must_leave_in_the_future(tenant_a):
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips", {
        "company_id": str(tenant_a.company.id), "route_id": str(tenant_a.route.id), "bus_id": str(tenant_a.bus.id),
        "service_date": (timezone.now().date().replace(year=2020)).isoformat(), "departure_time": str(time(8, 0))},
        format="json")
    assert response.status_code == 422
    assert Trip.objects.count() == 0


def test_a_retried_create_with_an_idempotency_key_makes_one_trip(tenant_a):
    client = tenant_a.client("dispatcher")
    body = {"company_id": str(tenant_a.company.id), "route_id": str(tenant_a.route.id),
            "bus_id": str(tenant_a.bus.id), "service_date": (timezone.now().date() + timedelta(days=2)).isoformat(),
            "departure_time": "08:00:00"}
    first = client.post(f"{BASE}/trips", body, format="json", HTTP_IDEMPOTENCY_KEY="trip-create-1")
    again = client.post(f"{BASE}/trips", body, format="json", HTTP_IDEMPOTENCY_KEY="trip-create-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Trip.objects.count() == 1


def _trip_body(tenant, **change) -> dict:
    return {"company_id": str(tenant.company.id), "route_id": str(tenant.route.id), "bus_id": str(tenant.bus.id),
            "service_date": (timezone.now().date() + timedelta(days=2)).isoformat(), "departure_time": "08:00",
            **change}


@pytest.mark.parametrize("departure_time", ["07:00:00Z", "07:00+03:00", "07:00:00.000-05:00", "7:00", "24:00"])
def test_a_departure_time_with_an_offset_or_out_of_shape_is_refused_and_nothing_is_made(tenant_a, departure_time):
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips", _trip_body(tenant_a, departure_time=departure_time),
                                                  format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {
        "departure_time": ["Give the company's local time as HH:MM or HH:MM:SS, without an offset."]}
    assert Trip.objects.count() == 0


@pytest.mark.parametrize("departure_time", ["07:00", "07:00:00"])
def test_a_local_departure_time_is_the_companys_wall_clock(tenant_a, departure_time):
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips", _trip_body(tenant_a, departure_time=departure_time),
                                                  format="json")

    assert response.status_code == 201
    trip = Trip.objects.get()
    assert trip.departure_at.astimezone(ZoneInfo(tenant_a.company.timezone)).time() == time(7, 0)


@pytest.mark.parametrize(("service_date", "departure_time"), [("9999-12-31", "23:00"), ("9999-12-31", "00:00"),
                                                              ("9999-12-30", "23:59")])
def test_a_trip_that_would_arrive_after_the_end_of_the_calendar_is_refused_and_nothing_is_made(
        tenant_a, service_date, departure_time):
    response = tenant_a.client("dispatcher").post(
        f"{BASE}/trips", _trip_body(tenant_a, service_date=service_date, departure_time=departure_time), format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"service_date": ["Give a date from 1900-01-01 to 9999-12-01."]}
    assert Trip.objects.count() == 0


def test_a_trip_on_the_last_date_of_the_calendar_arrives_within_it(tenant_a):
    response = tenant_a.client("dispatcher").post(
        f"{BASE}/trips", _trip_body(tenant_a, service_date="9999-12-01", departure_time="23:59"), format="json")

    assert response.status_code == 201
    assert Trip.objects.get().arrival_at.date() == date(9999, 12, 2)
