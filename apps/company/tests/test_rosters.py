"""Driver rosters and bus swaps: nobody and no bus is on two overlapping trips, even under concurrency."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from django.db import connection

from apps.company.models import DriverAssignment, Trip
from apps.company.services import fleet, rosters, trips
from apps.company.tests.world import ad_hoc_trip, build_tenant
from transport.testing.threads import barrier as bounded_barrier
from transport.testing.threads import run_threads

BASE = "/api/v1/company"


def test_a_driver_cannot_take_an_overlapping_trip(tenant_a):
    # given the driver on the 08:00 trip (6 hours long)
    first = ad_hoc_trip(tenant_a)
    second = ad_hoc_trip(tenant_a, at=time(12, 0), bus=tenant_a.spare_bus)
    driver = tenant_a.users["driver"].pk
    rosters.assignment_create(principal=tenant_a.admin, trip_id=first.id, driver_id=driver)
    # when the dispatcher puts them on the 12:00 trip too
    response = tenant_a.client("dispatcher").post(f"{BASE}/assignments", {"trip_id": str(second.id),
                                                                           "driver_id": str(driver)}, format="json")
    # then it is refused
    assert response.status_code == 409
    assert response.json()["code"] == "driver_busy"
    assert DriverAssignment.objects.filter(driver_id=driver).count() == 1


def test_a_driver_takes_the_next_trip_once_the_first_ends(tenant_a):
    first = ad_hoc_trip(tenant_a)
    later = ad_hoc_trip(tenant_a, at=time(14, 0), bus=tenant_a.spare_bus)
    driver = tenant_a.users["driver"].pk
    rosters.assignment_create(principal=tenant_a.admin, trip_id=first.id, driver_id=driver)
    rosters.assignment_create(principal=tenant_a.admin, trip_id=later.id, driver_id=driver)
    assert DriverAssignment.objects.filter(driver_id=driver, is_active=True).count() == 2


def test_only_drivers_of_the_company_are_assigned(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    response = tenant_a.client("dispatcher").post(f"{BASE}/assignments", {
        "trip_id": str(trip.id), "driver_id": str(tenant_a.users["agent"].pk)}, format="json")
    assert response.status_code == 422
    assert DriverAssignment.objects.count() == 0


def test_cancelling_a_trip_frees_its_driver(tenant_a):
    first = ad_hoc_trip(tenant_a)
    second = ad_hoc_trip(tenant_a, at=time(9, 0), bus=tenant_a.spare_bus)
    driver = tenant_a.users["driver"].pk
    rosters.assignment_create(principal=tenant_a.admin, trip_id=first.id, driver_id=driver)
    trips.trip_cancel(principal=tenant_a.admin, trip_id=first.id, reason="Breakdown")
    rosters.assignment_create(principal=tenant_a.admin, trip_id=second.id, driver_id=driver)
    assert list(DriverAssignment.objects.filter(is_active=True).values_list("trip_id", flat=True)) == [second.id]


def test_a_bus_swap_onto_a_busy_bus_is_refused(tenant_a):
    # given the spare bus on a 09:00 trip
    ad_hoc_trip(tenant_a, at=time(9, 0), bus=tenant_a.spare_bus)
    trip = ad_hoc_trip(tenant_a)
    # when the 08:00 trip is moved to the spare bus
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips/{trip.id}/bus",
                                                  {"bus_id": str(tenant_a.spare_bus.id)}, format="json")
    # then it is refused and the trip keeps its bus
    assert response.status_code == 409
    assert response.json()["code"] == "bus_busy"
    assert Trip.objects.get(pk=trip.id).bus_id == tenant_a.bus.id


def test_a_bus_cannot_make_two_overlapping_trips(tenant_a):
    ad_hoc_trip(tenant_a)
    response = tenant_a.client("dispatcher").post(f"{BASE}/trips", {
        "company_id": str(tenant_a.company.id), "route_id": str(tenant_a.route.id), "bus_id": str(tenant_a.bus.id),
        "service_date": Trip.objects.get().service_date.isoformat(), "departure_time": "10:00"}, format="json")
    assert response.status_code == 409
    assert Trip.objects.count() == 1


def _assign_concurrently(client_factory, driver_id, trip_ids) -> list[int]:
    barrier = bounded_barrier(len(trip_ids))
    statuses: list[int] = []

    def assign(trip_id):
        try:
            client = client_factory()
            barrier.wait()
            response = client.post(f"{BASE}/assignments", {"trip_id": str(trip_id), "driver_id": str(driver_id)},
                                   format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(trip_id,)) for trip_id in trip_ids]
    run_threads(threads)
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locks_enabled", [True, False], ids=["with-lock", "database-alone"])
def test_concurrent_overlapping_assignments_leave_exactly_one(settings, locks_enabled):
    # given six overlapping trips on six buses, and one driver
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    tenant = build_tenant("gamma-lines")
    buses = [tenant.bus, tenant.spare_bus]
    buses += [fleet.bus_create(principal=tenant.admin, company_id=tenant.company.id, plate=f"KGL 10{n}X",
                               layout_id=tenant.layout.id) for n in range(4)]
    trip_ids = [ad_hoc_trip(tenant, at=time(8, 10 * n), bus=bus).id for n, bus in enumerate(buses)]
    driver = tenant.users["driver"].pk
    # when six dispatchers put the driver on the six trips at the same moment
    statuses = _assign_concurrently(lambda: tenant.client("dispatcher"), driver, trip_ids)
    # then exactly one succeeds, the others are told the driver is busy, and no request failed
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    assert DriverAssignment.objects.filter(driver_id=driver, is_active=True).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locks_enabled", [True, False], ids=["with-lock", "database-alone"])
def test_concurrent_swaps_onto_one_bus_leave_exactly_one(settings, locks_enabled):
    # given four overlapping trips on four buses, and a fifth bus free
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    tenant = build_tenant("delta-lines")
    buses = [tenant.bus, tenant.spare_bus] + [
        fleet.bus_create(principal=tenant.admin, company_id=tenant.company.id, plate=f"KDL 20{n}X",
                         layout_id=tenant.layout.id) for n in range(3)]
    target = buses.pop()
    trip_ids = [ad_hoc_trip(tenant, at=time(8, 10 * n), bus=bus).id for n, bus in enumerate(buses)]
    barrier = bounded_barrier(len(trip_ids))
    statuses: list[int] = []

    def swap(trip_id):
        try:
            client = tenant.client("dispatcher")
            barrier.wait()
            statuses.append(client.post(f"{BASE}/trips/{trip_id}/bus", {"bus_id": str(target.id)},
                                        format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=swap, args=(trip_id,)) for trip_id in trip_ids]
    run_threads(threads)
    # then one trip got the bus, the others were told it is busy
    assert sorted(statuses) == [200, 409, 409, 409]
    assert Trip.objects.filter(bus=target).count() == 1
