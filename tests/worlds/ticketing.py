"""The cast of ticketing's tests: a coach company with staff of every role, a Nairobi - Nakuru - Kisumu
trip two days ahead on a 40-seat coach (seat 10D is crew-only), its fares, passengers, and a second company.

Trips, buses and stops are made through company's services, people through identity's factories.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from uuid import UUID

from django.utils import timezone
from rest_framework.test import APIClient

from apps.auth import api as auth_api
from apps.auth.models import User
from apps.auth.services import devices
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import make_user
from apps.company import layouts
from apps.company.models import Company
from apps.company.services import companies, fleet, network, trips
from apps.ticketing.models import Fare
from transport.principal import Principal

STAFF_ROLES = ["company_admin", "dispatcher", "agent", "driver"]
TOWNS = [("Nairobi", "0", 0), ("Nakuru", "160", 150), ("Kisumu", "350", 360)]
# KES cents per stretch
FARES = {("Nairobi", "Nakuru"): 80_000, ("Nakuru", "Kisumu"): 70_000, ("Nairobi", "Kisumu"): 140_000}
CREW_SEAT = "10D"
_slugs = itertools.count(1)


@dataclass
class SalesWorld:
    company_id: UUID
    route_id: UUID
    bus_id: UUID
    trip_id: UUID
    stops: dict[str, UUID]  # by town
    users: dict[str, User]  # staff by role, plus "passenger" and "other_passenger"
    admin: Principal

    def principal(self, who: str) -> Principal:
        return auth_api.principal_for_user(user_id=self.users[who].pk)

    def client(self, who: str | None) -> APIClient:
        """A client sending a real bearer token for `who` (None: anonymous)."""
        client = APIClient()
        if who is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(self.users[who])}")
        return client

    def pos_client(self) -> APIClient:
        """A client for the agent's point-of-sale terminal, sending its device credential."""
        registered = devices.device_register(principal=self.admin, company_id=self.company_id,
                                             user_id=self.users["agent"].pk, role="agent", name="Counter POS")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Device {registered.credential}")
        return client

    def cancel_trip(self, trip_id: UUID | None = None) -> None:
        trips.trip_cancel(principal=self.admin, trip_id=trip_id or self.trip_id, reason="The bus broke down")

    def change_company(self, **values: object) -> None:
        """Change the company's settings as its admin does."""
        companies.company_update(principal=self.admin, company_id=self.company_id, **values)

    def swap_to_small_bus(self, *, rows: int) -> None:
        """Put the trip on a 2+2 coach of `rows` rows (labels 1A..{rows}D, all standard)."""
        plan = layouts.grid_layout(rows=rows, left=2, right=2, seat_class="standard")
        layout = fleet.layout_create(principal=self.admin, company_id=self.company_id, name=f"{rows}-row coach",
                                     plan=plan)
        bus = fleet.bus_create(principal=self.admin, company_id=self.company_id, plate=f"KSW {rows:03d}X",
                               layout_id=layout.id)
        trips.trip_change_bus(principal=self.admin, trip_id=self.trip_id, bus_id=bus.id)

    def another_trip(self, *, day: date | None = None, at: time = time(14, 0)) -> UUID:
        return trips.trip_create(principal=self.admin, company_id=self.company_id, route_id=self.route_id,
                                 bus_id=self.bus_id, service_date=day or sale_day() + timedelta(days=1),
                                 departure_time=at).id


def sale_day() -> date:
    """Two days ahead: more than a day before departure whenever the test runs (refund and fare windows)."""
    return timezone.now().date() + timedelta(days=2)


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


def make_passengers(count: int) -> list[User]:
    """Signed-up passengers with no company role."""
    return [make_user(full_name=f"Passenger {n}") for n in range(count)]


def build_sales_world(name: str = "") -> SalesWorld:
    slug = name or f"coach-line-{next(_slugs)}"
    company = Company.objects.create(name=slug.title(), slug=slug, country="KE", currency="KES",
                                     timezone="Africa/Nairobi")
    users = {role: make_user(full_name=f"{slug} {role}", roles={company.id: [role]}) for role in STAFF_ROLES}
    users["passenger"] = make_user(full_name=f"{slug} passenger")
    users["other_passenger"] = make_user(full_name=f"{slug} other passenger")
    admin = auth_api.principal_for_user(user_id=users["company_admin"].pk)
    plan = layouts.grid_layout(rows=10, left=2, right=2, seat_class="standard", unsold=(CREW_SEAT,))
    layout = fleet.layout_create(principal=admin, company_id=company.id, name="40-seat coach", plan=plan)
    bus = fleet.bus_create(principal=admin, company_id=company.id, plate=f"KC{next(_slugs):03d}A", layout_id=layout.id)
    stops = {
        town: network.stop_create(principal=admin, company_id=company.id, name=f"{town} Stage", town=town,
                                  latitude=Decimal("-1.0"), longitude=Decimal("36.0"), timezone="Africa/Nairobi").id
        for town, _, _ in TOWNS
    }
    route = network.route_create(principal=admin, company_id=company.id, name="Nairobi - Kisumu", code="NBI-KSM",
                                 stops=[{"stop_id": stops[town], "distance_km": km, "minutes_from_origin": minutes}
                                        for town, km, minutes in TOWNS])
    for (board, alight), amount in FARES.items():
        Fare.objects.create(company_id=company.id, route_id=route.id, from_stop_id=stops[board],
                            to_stop_id=stops[alight], seat_class="standard", amount_minor=amount, currency="KES")
    trip = trips.trip_create(principal=admin, company_id=company.id, route_id=route.id, bus_id=bus.id,
                             service_date=sale_day(), departure_time=time(8, 0))
    return SalesWorld(company_id=company.id, route_id=route.id, bus_id=bus.id, trip_id=trip.id, stops=stops,
                      users=users, admin=admin)
