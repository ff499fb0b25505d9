"""Tenant isolation: company B's admin gets 404 for every one of company A's rows, on every endpoint, and
nothing of company A changes; lists show only the caller's own rows."""

from __future__ import annotations

import pytest

from apps.company.models import Bus, DriverAssignment, Route, Schedule, ScheduleException, SeatLayout, Stop, Trip
from apps.company.services import rosters
from apps.company.tests.world import ad_hoc_trip

BASE = "/api/v1/company"


@pytest.fixture
def a_rows(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    assignment = rosters.assignment_create(principal=tenant_a.admin, trip_id=trip.id,
                                           driver_id=tenant_a.users["driver"].pk)
    return {
        "companies": tenant_a.company.id, "layouts": tenant_a.layout.id, "buses": tenant_a.bus.id,
        "stops": tenant_a.stops["Nairobi"].id, "routes": tenant_a.route.id, "schedules": tenant_a.schedule.id,
        "trips": trip.id, "assignments": assignment.id,
    }


def _snapshot():
    return {
        "buses": sorted(Bus.objects.values_list("plate", "status")),
        "layouts": sorted(SeatLayout.objects.values_list("name", "current_version_id")),
        "stops": sorted(Stop.objects.values_list("name", "latitude")),
        "routes": sorted(Route.objects.values_list("name", "code", "is_active")),
        "schedules": sorted(Schedule.objects.values_list("id", "is_active", "bus_id")),
        "exceptions": ScheduleException.objects.count(),
        "trips": sorted(Trip.objects.values_list("id", "status", "bus_id", "delay_minutes")),
        "assignments": sorted(DriverAssignment.objects.values_list("id", "is_active")),
    }


WRITES = [
    ("patch", "companies", "", {"name": "Taken over"}),
    ("patch", "layouts", "", {"name": "Mine now"}),
    ("delete", "layouts", "", None),
    ("patch", "buses", "", {"status": "retired"}),
    ("delete", "buses", "", None),
    ("patch", "stops", "", {"name": "Elsewhere"}),
    ("delete", "stops", "", None),
    ("patch", "routes", "", {"is_active": False}),
    ("delete", "routes", "", None),
    ("patch", "schedules", "", {"is_active": False}),
    ("delete", "schedules", "", None),
    ("post", "schedules", "/exceptions", {"date": "2030-01-01", "kind": "no_service"}),
    ("delete", "schedules", "/exceptions/1", None),
    ("post", "trips", "/cancel", {"reason": "stolen"}),
    ("post", "trips", "/delay", {"minutes": 30, "reason": "x"}),
    ("post", "trips", "/status", {"move": "board"}),
    ("delete", "assignments", "", None),
]


@pytest.mark.parametrize("resource", ["companies", "layouts", "buses", "stops", "routes", "schedules", "trips",
                                      "assignments"])
def test_reading_another_companys_row_is_404(tenant_a, tenant_b, a_rows, resource):
    # given company B's admin
    client = tenant_b.client("company_admin")
    # when they read one of company A's rows
    response = client.get(f"{BASE}/{resource}/{a_rows[resource]}")
    # then it does not exist for them
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "resource", "suffix", "body"), WRITES)
def test_writing_another_companys_row_is_404_and_changes_nothing(tenant_a, tenant_b, a_rows, method, resource,
                                                                 suffix, body):
    # given company B's admin and a snapshot of everything
    client = tenant_b.client("company_admin")
    before = _snapshot()
    # when they change one of company A's rows
    response = getattr(client, method)(f"{BASE}/{resource}/{a_rows[resource]}{suffix}", body, format="json")
    # then it does not exist for them, and nothing changed
    assert response.status_code == 404
    assert _snapshot() == before


def test_trip_bus_swap_to_another_companys_bus_is_404(tenant_a, tenant_b, a_rows):
    # given company A's trip and company B's bus
    before = _snapshot()
    # when A's admin moves the trip to B's bus
    response = tenant_a.client("company_admin").post(f"{BASE}/trips/{a_rows['trips']}/bus",
                                                     {"bus_id": str(tenant_b.bus.id)}, format="json")
    # then B's bus does not exist for A
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("resource", "body"), [
    ("layouts", {"name": "x", "plan": {"decks": 1, "rows": 1, "columns": 1, "seats": [{"label": "1A", "row": 1,
                                                                                         "col": 1}]}}),
    ("buses", {"plate": "KZZ 999Z", "layout_id": None}),
    ("stops", {"name": "x", "town": "x", "latitude": "0", "longitude": "0", "timezone": "Africa/Nairobi"}),
    ("routes", {"name": "x", "code": "x", "stops": []}),
    ("schedules", {"route_id": None, "bus_id": None, "departure_time": "08:00", "weekdays": [1],
                   "valid_from": "2030-01-01"}),
    ("trips", {"route_id": None, "bus_id": None, "service_date": "2030-01-01", "departure_time": "08:00"}),
])
def test_creating_in_another_company_is_404(tenant_a, tenant_b, resource, body):
    # given company B's admin, pointing at company A (and at A's rows where a row is named)
    filled = {key: (str(tenant_a.bus.id) if key == "bus_id" else str(tenant_a.route.id) if key == "route_id"
                    else str(tenant_a.layout.id) if key == "layout_id" else value) for key, value in body.items()}
    before = _snapshot()
    # when they create something in company A
    response = tenant_b.client("company_admin").post(f"{BASE}/{resource}",
                                                     {"company_id": str(tenant_a.company.id), **filled}, format="json")
    # then company A does not exist for them, and nothing was made
    assert response.status_code == 404
    assert _snapshot() == before


def test_assigning_a_driver_to_another_companys_trip_is_404(tenant_a, tenant_b, a_rows):
    before = _snapshot()
    response = tenant_b.client("company_admin").post(
        f"{BASE}/assignments", {"trip_id": str(a_rows["trips"]), "driver_id": str(tenant_b.users["driver"].pk)},
        format="json")
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("resource", ["companies", "layouts", "buses", "stops", "routes", "schedules", "trips",
                                      "assignments"])
def test_lists_hold_only_the_callers_company(tenant_a, tenant_b, a_rows, resource):
    # given rows in both companies
    ad_hoc_trip(tenant_b)
    # when B's admin lists
    response = tenant_b.client("company_admin").get(f"{BASE}/{resource}")
    # then only B's rows come back
    assert response.status_code == 200
    company_ids = {row.get("company_id", row["id"]) for row in response.json()["results"]}
    if resource == "assignments":
        assert company_ids == set()
    else:
        assert company_ids == {str(tenant_b.company.id)}
