"""Staff endpoints: registering tracker apps, the buses near a point, a trip's live position; each for the
company's own staff with the permission, and another company's buses never seen."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tracking import live
from apps.tracking.fixes import Fix
from apps.tracking.models import TrackerDevice

pytestmark = pytest.mark.django_db

TRACKERS = "/api/v1/tracking/trackers"
NEARBY = "/api/v1/tracking/nearby"


def put(fleet, lat: float, lon: float, *, bus_id=None, trip_id=None) -> Fix:
    at = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
    fix = Fix(company_id=fleet.company_id, bus_id=bus_id or fleet.bus_id, source="device:test", latitude=lat,
              longitude=lon, fixed_at=at, received_at=at, trip_id=trip_id, speed_kmh=50.0, heading=180.0)
    live.position_move(fix)
    return fix


def test_a_dispatcher_registers_a_tracker_on_a_company_bus(fleet):
    answer = fleet.world.client("dispatcher").post(TRACKERS, {"bus_id": str(fleet.bus_id), "identifier": "8675309",
                                                              "name": "Phone on KCA"}, format="json")

    assert answer.status_code == 201, answer.content
    tracker = TrackerDevice.objects.get(identifier="8675309")
    assert answer.json() == {"id": str(tracker.pk), "company_id": str(fleet.company_id), "bus_id": str(fleet.bus_id),
                             "identifier": "8675309", "name": "Phone on KCA", "active": True,
                             "created_at": answer.json()["created_at"]}
    assert (tracker.company_id, tracker.bus_id, tracker.active) == (fleet.company_id, fleet.bus_id, True)


def test_registering_a_tracker_is_refused_without_the_permission_or_for_another_bus(fleet, other_fleet):
    body = {"bus_id": str(fleet.bus_id), "identifier": "5550001"}

    assert fleet.world.client("agent").post(TRACKERS, body, format="json").status_code == 403
    assert fleet.world.client("driver").post(TRACKERS, body, format="json").status_code == 403
    assert fleet.world.client(None).post(TRACKERS, body, format="json").status_code == 401
    theirs = fleet.world.client("company_admin").post(
        TRACKERS, {"bus_id": str(other_fleet.bus_id), "identifier": "5550001"}, format="json")
    assert (theirs.status_code, theirs.json()["errors"]) == (422, {"bus_id": ["No such bus in this company."]})
    assert not TrackerDevice.objects.filter(identifier="5550001").exists()


def test_an_identifier_is_one_trackers_only(fleet, other_fleet):
    taken = other_fleet.tracker.identifier

    answer = fleet.world.client("company_admin").post(TRACKERS, {"bus_id": str(fleet.bus_id), "identifier": taken},
                                                      format="json")

    assert (answer.status_code, answer.json()["code"]) == (409, "tracker_identifier_taken")
    assert TrackerDevice.objects.filter(identifier=taken).count() == 1


def test_nearby_lists_only_the_staff_members_companys_buses(fleet, other_fleet):
    put(fleet, -1.2921, 36.8219, trip_id=fleet.trip_id)
    put(other_fleet, -1.2921, 36.8219)

    answer = fleet.world.client("dispatcher").get(NEARBY, {"lat": "-1.2930", "lon": "36.8219", "radius_m": "500"})

    assert answer.status_code == 200, answer.content
    (bus,) = answer.json()["buses"]
    assert {key: bus[key] for key in ("bus_id", "trip_id", "lat", "lon", "speed_kmh", "heading")} == {
        "bus_id": str(fleet.bus_id), "trip_id": str(fleet.trip_id), "lat": -1.2921, "lon": 36.8219,
        "speed_kmh": 50.0, "heading": 180.0}
    assert round(bus["distance_m"]) == 100
    outside = fleet.world.client("dispatcher").get(NEARBY, {"lat": "-1.30", "lon": "36.8219", "radius_m": "500"})
    assert outside.json() == {"buses": []}


def test_nearby_needs_the_fleet_permission_in_the_company_asked_about(fleet, other_fleet):
    query = {"lat": "-1.29", "lon": "36.82", "radius_m": "500"}

    assert fleet.world.client("agent").get(NEARBY, query).status_code == 403
    assert fleet.world.client(None).get(NEARBY, query).status_code == 401
    foreign = fleet.world.client("dispatcher").get(NEARBY, {**query, "company_id": str(other_fleet.company_id)})
    assert foreign.status_code == 404


@pytest.mark.parametrize(("field", "value"), [("lat", "NaN"), ("lon", "1e308"), ("radius_m", "0"),
                                              ("radius_m", "100001"), ("radius_m", str(2**63)), ("lat", ""),
                                              ("lat", "89.99999999999999"), ("lat", "-85.06")])
def test_nearby_refuses_malformed_values(fleet, field, value):
    query = {"lat": "-1.29", "lon": "36.82", "radius_m": "500", field: value}

    answer = fleet.world.client("dispatcher").get(NEARBY, query)

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [field]


def test_a_trips_live_position_for_its_company_staff(fleet, other_fleet):
    url = f"/api/v1/tracking/trips/{fleet.trip_id}/live"
    before = fleet.world.client("dispatcher").get(url)
    put(fleet, -0.30, 36.07, trip_id=fleet.trip_id)

    after = fleet.world.client("company_admin").get(url)

    assert before.json() == {"trip_id": str(fleet.trip_id), "bus_id": str(fleet.bus_id), "position": None}
    assert after.status_code == 200
    position = after.json()["position"]
    assert (position["lat"], position["lon"], position["trip_id"]) == (-0.30, 36.07, str(fleet.trip_id))
    assert fleet.world.client("agent").get(url).status_code == 403
    assert other_fleet.world.client("dispatcher").get(url).status_code == 404
    assert fleet.world.client("dispatcher").get(f"/api/v1/tracking/trips/{uuid.uuid4()}/live").status_code == 404
