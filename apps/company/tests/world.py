"""The cast of company's tests: two companies with staff of every role, a coach layout, buses, stops in two
timezones, a route and a schedule, made through this app's services and identity's published api."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from apps.auth import api as auth_api
from apps.company import layouts
from apps.company.models import Bus, Company, Route, Schedule, SeatLayout, Stop, Trip
from apps.company.services import fleet, network, schedules, trips
from transport.principal import Principal

_numbers = itertools.count(1)
ROLES = ["company_admin", "dispatcher", "agent", "driver"]
# the places of the demo, with real coordinates; Kigali is an hour behind the others
PLACES = {
    "Nairobi": ("-1.286389", "36.817223", "Africa/Nairobi"),
    "Nakuru": ("-0.303099", "36.080025", "Africa/Nairobi"),
    "Kisumu": ("-0.091702", "34.767956", "Africa/Nairobi"),
    "Kampala": ("0.347596", "32.582520", "Africa/Kampala"),
    "Kigali": ("-1.944072", "30.061885", "Africa/Kigali"),
}
MEMBERS_ADMIN = Principal.system("company-tests", {"identity.manage_members"})


def make_user(*, company_id: UUID | None = None, roles: list[str] | None = None, name: str = ""):
    number = next(_numbers)
    user = get_user_model().objects.create_user(email=f"company-user{number}@example.test", password="pw-company-42",
                                                full_name=name or f"User {number}")
    if company_id and roles:
        auth_api.membership_grant(principal=MEMBERS_ADMIN, company_id=company_id, user_id=user.pk, roles=roles)
    return user


def principal(user) -> Principal:
    return auth_api.principal_for_user(user_id=user.pk)


def client_for(user) -> APIClient:
    """An API client acting as `user`, with the principal identity's authentication would resolve."""
    client = APIClient()
    client.force_authenticate(user=user, token=principal(user))  # type: ignore[arg-type]  # our token: a Principal
    return client


def make_company(slug: str, tz: str = "Africa/Nairobi") -> Company:
    return Company.objects.create(name=slug.title(), slug=slug, country="KE", currency="KES", timezone=tz,
                                  website=f"https://{slug}.example.test")


@dataclass
class Tenant:
    company: Company
    users: dict[str, object]
    admin: Principal
    layout: SeatLayout
    bus: Bus
    spare_bus: Bus
    stops: dict[str, Stop]
    route: Route
    schedule: Schedule

    def client(self, role: str) -> APIClient:
        return client_for(self.users[role])


def build_tenant(slug: str) -> Tenant:
    company = make_company(slug)
    users = {role: make_user(company_id=company.id, roles=[role], name=f"{slug} {role}") for role in ROLES}
    users["driver2"] = make_user(company_id=company.id, roles=["driver"], name=f"{slug} second driver")
    admin = principal(users["company_admin"])
    layout = fleet.layout_create(principal=admin, company_id=company.id, name="49-seat standard",
                                 plan=layouts.grid_layout(rows=11, left=2, right=2, back_row=5, seat_class="standard"))
    bus = fleet.bus_create(principal=admin, company_id=company.id, plate=f"K{slug[:2].upper()} 001A",
                           layout_id=layout.id, amenities=["wifi"])
    spare = fleet.bus_create(principal=admin, company_id=company.id, plate=f"K{slug[:2].upper()} 002B",
                             layout_id=layout.id)
    stops = {
        name: network.stop_create(principal=admin, company_id=company.id, name=f"{name} Central", town=name,
                                  latitude=Decimal(lat), longitude=Decimal(lng), timezone=tz)
        for name, (lat, lng, tz) in PLACES.items()
    }
    route = network.route_create(principal=admin, company_id=company.id, name="Nairobi - Kisumu", code="NBI-KSM",
                                 stops=[
                                     {"stop_id": stops["Nairobi"].id, "distance_km": "0", "minutes_from_origin": 0},
                                     {"stop_id": stops["Nakuru"].id, "distance_km": "160", "minutes_from_origin": 150},
                                     {"stop_id": stops["Kisumu"].id, "distance_km": "350", "minutes_from_origin": 360},
                                 ])
    schedule = schedules.schedule_create(principal=admin, company_id=company.id, route_id=route.id, bus_id=bus.id,
                                         departure_time=time(8, 0), weekdays=[1, 2, 3, 4, 5, 6, 7],
                                         valid_from=timezone.now().date())
    return Tenant(company=company, users=users, admin=admin, layout=layout, bus=bus, spare_bus=spare, stops=stops,
                  route=route, schedule=schedule)


def tomorrow() -> date:
    return timezone.now().date() + timedelta(days=1)


def ad_hoc_trip(tenant: Tenant, *, day: date | None = None, at: time = time(8, 0), bus: Bus | None = None) -> Trip:
    return trips.trip_create(principal=tenant.admin, company_id=tenant.company.id, route_id=tenant.route.id,
                             bus_id=(bus or tenant.bus).id, service_date=day or tomorrow(), departure_time=at)
