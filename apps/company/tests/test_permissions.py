"""Who may do what inside their own company: company admins everything, dispatchers trips and rosters,
agents read trips, drivers read only the trips they drive."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from apps.auth import api as auth_api
from apps.company.models import Bus, DriverAssignment, Trip
from apps.company.services import rosters
from apps.company.tests.world import MEMBERS_ADMIN, ad_hoc_trip, client_for, make_user, principal, tomorrow

BASE = "/api/v1/company"


@pytest.mark.parametrize(("role", "expected"), [("company_admin", 201), ("dispatcher", 403), ("agent", 403),
                                                ("driver", 403)])
def test_only_fleet_managers_add_buses(tenant_a, role, expected):
    before = Bus.objects.count()
    response = tenant_a.client(role).post(f"{BASE}/buses", {"company_id": str(tenant_a.company.id),
                                                            "plate": "KCA 777X", "layout_id": str(tenant_a.layout.id)},
                                          format="json")
    assert response.status_code == expected
    assert Bus.objects.count() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize(("role", "expected"), [("company_admin", 201), ("dispatcher", 201), ("agent", 403),
                                                ("driver", 403)])
def test_trip_managers_create_trips(tenant_a, role, expected):
    before = Trip.objects.count()
    response = tenant_a.client(role).post(f"{BASE}/trips", {
        "company_id": str(tenant_a.company.id), "route_id": str(tenant_a.route.id), "bus_id": str(tenant_a.bus.id),
        "service_date": tomorrow().isoformat(), "departure_time": "09:00"}, format="json")
    assert response.status_code == expected
    assert Trip.objects.count() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize(("role", "expected"), [("company_admin", 201), ("dispatcher", 201), ("agent", 403),
                                                ("driver", 403)])
def test_roster_managers_assign_drivers(tenant_a, role, expected):
    trip = ad_hoc_trip(tenant_a)
    response = tenant_a.client(role).post(f"{BASE}/assignments", {"trip_id": str(trip.id),
                                                                  "driver_id": str(tenant_a.users["driver"].pk)},
                                          format="json")
    assert response.status_code == expected
    assert DriverAssignment.objects.filter(trip=trip).count() == (1 if expected == 201 else 0)


def test_agents_read_every_trip(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    response = tenant_a.client("agent").get(f"{BASE}/trips")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(trip.id)]


def test_drivers_read_only_the_trips_they_drive(tenant_a):
    # given two trips, the driver on the first only
    mine = ad_hoc_trip(tenant_a)
    other = ad_hoc_trip(tenant_a, bus=tenant_a.spare_bus)
    rosters.assignment_create(principal=tenant_a.admin, trip_id=mine.id, driver_id=tenant_a.users["driver"].pk)
    client = tenant_a.client("driver")
    # when the driver lists and reads trips
    listed = client.get(f"{BASE}/trips")
    theirs = client.get(f"{BASE}/trips/{mine.id}")
    not_theirs = client.get(f"{BASE}/trips/{other.id}")
    # then they see only their own
    assert [row["id"] for row in listed.json()["results"]] == [str(mine.id)]
    assert theirs.status_code == 200
    assert not_theirs.status_code == 404


def test_a_driver_moves_their_own_trip_but_not_another(tenant_a):
    mine = ad_hoc_trip(tenant_a)
    other = ad_hoc_trip(tenant_a, bus=tenant_a.spare_bus)
    rosters.assignment_create(principal=tenant_a.admin, trip_id=mine.id, driver_id=tenant_a.users["driver"].pk)
    client = tenant_a.client("driver")
    boarded = client.post(f"{BASE}/trips/{mine.id}/status", {"move": "board"}, format="json")
    refused = client.post(f"{BASE}/trips/{other.id}/status", {"move": "board"}, format="json")
    assert boarded.status_code == 200
    assert boarded.json()["status"] == "boarding"
    assert refused.status_code == 404
    assert Trip.objects.get(pk=other.id).status == "scheduled"


def test_drivers_cannot_read_the_fleet(tenant_a):
    response = tenant_a.client("driver").get(f"{BASE}/buses")
    assert response.status_code == 403


def test_anonymous_callers_are_refused(tenant_a):
    response = APIClient().get(f"{BASE}/trips")
    assert response.status_code == 401


def test_a_real_bearer_token_reaches_the_api(tenant_a, client):
    # given the admin signs in through identity's token endpoint
    token = client.post("/api/v1/auth/token", {"identifier": tenant_a.users["company_admin"].email,
                                               "password": "pw-company-42"}, content_type="application/json")
    access = token.json()["access"]
    # when they list buses with the bearer token
    response = client.get(f"{BASE}/buses", HTTP_AUTHORIZATION=f"Bearer {access}")
    # then they see their company's buses
    assert response.status_code == 200
    assert sorted(row["plate"] for row in response.json()["results"]) == ["KAL 001A", "KAL 002B"]


def test_founding_a_company_makes_the_founder_its_admin(db):
    founder = make_user()
    response = client_for(founder).post(f"{BASE}/companies", {
        "name": "Charlie Lines", "slug": "charlie", "country": "UG", "currency": "UGX", "timezone": "Africa/Kampala"},
        format="json")
    assert response.status_code == 201
    company_id = response.json()["id"]
    assert principal(founder).has("company.manage_fleet", company_id=uuid.UUID(company_id))


def test_a_member_of_two_companies_filters_lists_by_company(tenant_a, tenant_b):
    # given A's agent also an agent of B
    agent = tenant_a.users["agent"]
    auth_api.membership_grant(principal=MEMBERS_ADMIN, company_id=tenant_b.company.id, user_id=agent.pk,
                              roles=["agent"])
    client = client_for(agent)
    # when they list buses, all and of B only
    everything = client.get(f"{BASE}/buses")
    only_b = client.get(f"{BASE}/buses", {"company_id": str(tenant_b.company.id)})
    bad = client.get(f"{BASE}/buses", {"company_id": "nope"})
    # then the filter narrows to B
    assert len(everything.json()["results"]) == 4
    assert {row["company_id"] for row in only_b.json()["results"]} == {str(tenant_b.company.id)}
    assert bad.status_code == 422
