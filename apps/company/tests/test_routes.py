"""Routes: stops visited once, in order; the stop sequence is frozen while future trips exist."""

from __future__ import annotations

import pytest

from apps.company.models import Route, RouteStop
from apps.company.services import trips
from apps.company.tests.world import ad_hoc_trip

BASE = "/api/v1/company"


def _stops(tenant, *names_minutes):
    return [{"stop_id": str(tenant.stops[name].id), "distance_km": str(km), "minutes_from_origin": minutes}
            for name, km, minutes in names_minutes]


def _sequence(route):
    return list(RouteStop.objects.filter(route=route).order_by("sequence").values_list("stop__town", flat=True))


def test_a_route_cannot_visit_a_stop_twice(tenant_a):
    before = Route.objects.count()
    response = tenant_a.client("company_admin").post(f"{BASE}/routes", {
        "company_id": str(tenant_a.company.id), "name": "Loop", "code": "LOOP",
        "stops": _stops(tenant_a, ("Nairobi", 0, 0), ("Nakuru", 160, 150), ("Nairobi", 320, 300))}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"stops": ["A route cannot visit the same stop twice."]}
    assert Route.objects.count() == before


def test_a_route_runs_forward_in_time(tenant_a):
    response = tenant_a.client("company_admin").post(f"{BASE}/routes", {
        "company_id": str(tenant_a.company.id), "name": "Backwards", "code": "BCK",
        "stops": _stops(tenant_a, ("Nairobi", 0, 0), ("Nakuru", 160, 150), ("Kisumu", 350, 100))}, format="json")
    assert response.status_code == 422
    assert not Route.objects.filter(name="Backwards").exists()


def test_changing_stops_is_refused_while_future_trips_exist(tenant_a):
    # given a trip tomorrow on the route
    ad_hoc_trip(tenant_a)
    # when the admin drops Nakuru from the route
    response = tenant_a.client("company_admin").patch(f"{BASE}/routes/{tenant_a.route.id}", {
        "stops": _stops(tenant_a, ("Nairobi", 0, 0), ("Kisumu", 350, 330))}, format="json")
    # then it is refused with a clear error, and the stops stay
    assert response.status_code == 409
    assert response.json()["code"] == "route_has_future_trips"
    assert "new route version" in response.json()["detail"]
    assert _sequence(tenant_a.route) == ["Nairobi", "Nakuru", "Kisumu"]


def test_renaming_is_allowed_while_future_trips_exist(tenant_a):
    ad_hoc_trip(tenant_a)
    response = tenant_a.client("company_admin").patch(f"{BASE}/routes/{tenant_a.route.id}",
                                                      {"name": "Nairobi - Kisumu express"}, format="json")
    assert response.status_code == 200
    assert Route.objects.get(pk=tenant_a.route.id).name == "Nairobi - Kisumu express"


def test_changing_stops_is_allowed_once_future_trips_are_cancelled(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    trips.trip_cancel(principal=tenant_a.admin, trip_id=trip.id, reason="Road closed")
    response = tenant_a.client("company_admin").patch(f"{BASE}/routes/{tenant_a.route.id}", {
        "stops": _stops(tenant_a, ("Nairobi", 0, 0), ("Kisumu", 350, 330))}, format="json")
    assert response.status_code == 200
    assert _sequence(tenant_a.route) == ["Nairobi", "Kisumu"]


def test_a_new_route_version_replaces_a_frozen_one(tenant_a):
    ad_hoc_trip(tenant_a)
    response = tenant_a.client("company_admin").post(f"{BASE}/routes", {
        "company_id": str(tenant_a.company.id), "name": "Nairobi - Kisumu v2", "code": "NBI-KSM",
        "replaces_id": str(tenant_a.route.id),
        "stops": _stops(tenant_a, ("Nairobi", 0, 0), ("Kisumu", 350, 330))}, format="json")
    assert response.status_code == 201
    assert response.json()["replaces_id"] == str(tenant_a.route.id)
    assert [s["minutes_from_origin"] for s in response.json()["stops"]] == [0, 330]
    assert _sequence(tenant_a.route) == ["Nairobi", "Nakuru", "Kisumu"]


@pytest.mark.parametrize(("field", "value"), [("latitude", "90.5"), ("longitude", "-180.1")])
def test_stop_coordinates_are_range_checked(tenant_a, field, value):
    body = {"company_id": str(tenant_a.company.id), "name": "Nowhere", "town": "Nowhere", "latitude": "0",
            "longitude": "0", "timezone": "Africa/Nairobi", field: value}
    response = tenant_a.client("company_admin").post(f"{BASE}/stops", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not tenant_a.company.stops.filter(name="Nowhere").exists()


def test_stop_timezone_must_exist(tenant_a):
    response = tenant_a.client("company_admin").post(f"{BASE}/stops", {
        "company_id": str(tenant_a.company.id), "name": "Atlantis", "town": "Atlantis", "latitude": "0",
        "longitude": "0", "timezone": "Ocean/Atlantis"}, format="json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["timezone"]
    assert not tenant_a.company.stops.filter(name="Atlantis").exists()


def test_a_stop_on_a_route_is_not_deleted(tenant_a):
    response = tenant_a.client("company_admin").delete(f"{BASE}/stops/{tenant_a.stops['Nakuru'].id}")
    assert response.status_code == 409
    assert response.json()["code"] == "stop_in_use"
    assert tenant_a.company.stops.count() == 5


def test_an_unused_stop_is_deleted(tenant_a):
    response = tenant_a.client("company_admin").delete(f"{BASE}/stops/{tenant_a.stops['Kigali'].id}")
    assert response.status_code == 204
    assert not tenant_a.company.stops.filter(town="Kigali").exists()


@pytest.mark.parametrize(("path", "body"), [
    ("routes", {"stops": [{"stop_id": "00000000-0000-0000-0000-000000000001"},
                          {"stop_id": "00000000-0000-0000-0000-000000000002"}]}),
    ("layouts", {"plan": {"rows": 3}}),
])
def test_a_change_with_half_a_nested_part_is_a_400_naming_the_missing_fields(tenant_a, path, body):
    target = tenant_a.route if path == "routes" else tenant_a.layout
    response = tenant_a.client("company_admin").patch(f"{BASE}/{path}/{target.id}", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert all(field.startswith(("stops.", "plan.")) for field in response.json()["errors"])
