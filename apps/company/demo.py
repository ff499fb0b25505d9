"""Demo data of company for `make run`: the two demo companies (under the ids identity's demo gave their
staff), real places in Kenya and Uganda, routes, a 49-seat standard and a 36-seat VIP coach layout, buses,
daily schedules, and the next 14 days of trips with drivers on them. Safe to run on every start."""

from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import layouts
from apps.company.models import Company, DriverAssignment, Trip
from apps.company.permissions import ROLE_GRANTS
from apps.company.services import fleet, network, rosters, schedules
from apps.company.services.materialise import trips_materialise
from transport.demo import DEMO_COMPANIES, DemoOutput, demo_seeder
from transport.errors import Conflict
from transport.principal import Principal

PLACES = {  # name: (latitude, longitude, timezone)
    "Nairobi": ("-1.286389", "36.817223", "Africa/Nairobi"),
    "Nakuru": ("-0.303099", "36.080025", "Africa/Nairobi"),
    "Eldoret": ("0.514277", "35.269779", "Africa/Nairobi"),
    "Kisumu": ("-0.091702", "34.767956", "Africa/Nairobi"),
    "Mombasa": ("-4.043477", "39.668206", "Africa/Nairobi"),
    "Kampala": ("0.347596", "32.582520", "Africa/Kampala"),
}
ROUTES = [  # name, code, [(town, km, minutes)], departure, coach
    ("Nairobi - Kampala", "NBI-KLA", [("Nairobi", 0, 0), ("Nakuru", 160, 150), ("Eldoret", 310, 330),
                                      ("Kampala", 660, 720)], time(7, 0), "standard"),
    ("Nairobi - Mombasa", "NBI-MSA", [("Nairobi", 0, 0), ("Mombasa", 485, 480)], time(8, 0), "vip"),
    ("Mombasa - Nairobi", "MSA-NBI", [("Mombasa", 0, 0), ("Nairobi", 485, 480)], time(21, 0), "vip2"),
    ("Nairobi - Kisumu", "NBI-KSM", [("Nairobi", 0, 0), ("Nakuru", 160, 150), ("Kisumu", 350, 360)],
     time(6, 30), "standard2"),
]
_ACTOR = Principal.system("company-demo", {
    *(p for perms in ROLE_GRANTS.values() for p in perms), "identity.view_members", "identity.manage_members"})
COMPANY_PROFILE = {
    "alpha": ("Alpha Coaches", "KE", "KES", "https://alpha.demo.transport.dev", "+254700000001"),
    "bravo": ("Bravo Express", "KE", "KES", "https://bravo.demo.transport.dev", "+254700000002"),
}


@demo_seeder(order=20)
def seed(out: DemoOutput) -> None:
    for slug, company_id in DEMO_COMPANIES.items():
        if not Company.objects.filter(pk=company_id).exists():
            _network(slug, company_id)
        trips_materialise(days_ahead=settings.COMPANY_TRIPS_DAYS_AHEAD, company_id=company_id)
        _assign_drivers(company_id)
        # the same words on every start (the launcher prints them): nothing that counts this run's work
        out.add_note(f"Demo company {slug}: daily trips on {len(ROUTES)} routes for the next "
                     f"{settings.COMPANY_TRIPS_DAYS_AHEAD} days; GTFS feed at /api/v1/company/{slug}/gtfs.zip")


def _network(slug: str, company_id: uuid.UUID) -> None:
    name, country, currency, website, phone = COMPANY_PROFILE[slug]
    Company.objects.create(id=company_id, name=name, slug=slug, country=country, currency=currency,
                           timezone="Africa/Nairobi", website=website, contact_phone=phone,
                           contact_email=f"info@{slug}.demo.transport.dev")
    standard = fleet.layout_create(principal=_ACTOR, company_id=company_id, name="49-seat standard",
                                   plan=layouts.grid_layout(rows=11, left=2, right=2, back_row=5,
                                                            seat_class="standard"))
    vip = fleet.layout_create(principal=_ACTOR, company_id=company_id, name="36-seat VIP",
                              plan=layouts.grid_layout(rows=12, left=2, right=1, seat_class="vip"))
    prefix = slug[0].upper()
    buses = {
        coach: fleet.bus_create(principal=_ACTOR, company_id=company_id, plate=f"K{prefix}{letter} {number}X",
                                layout_id=(vip if coach.startswith("vip") else standard).id,
                                amenities=["wifi", "usb", "ac"] if coach.startswith("vip") else ["usb"])
        for coach, letter, number in (("standard", "A", 101), ("vip", "B", 202), ("vip2", "C", 303),
                                      ("standard2", "D", 404))
    }
    stops = {town: network.stop_create(principal=_ACTOR, company_id=company_id, name=f"{town} Bus Park", town=town,
                                       latitude=Decimal(lat), longitude=Decimal(lng), timezone=tz)
             for town, (lat, lng, tz) in PLACES.items()}
    for route_name, code, legs, departure, coach in ROUTES:
        route = network.route_create(principal=_ACTOR, company_id=company_id, name=route_name, code=code, stops=[
            {"stop_id": stops[town].id, "distance_km": km, "minutes_from_origin": minutes}
            for town, km, minutes in legs])
        schedules.schedule_create(principal=_ACTOR, company_id=company_id, route_id=route.id,
                                  bus_id=buses[coach].id, departure_time=departure, weekdays=[1, 2, 3, 4, 5, 6, 7],
                                  valid_from=timezone.now().date())


def _assign_drivers(company_id: uuid.UUID) -> int:
    drivers = [m.user_id for m in auth_api.company_members(principal=_ACTOR, company_id=company_id, role="driver")]
    open_trips = (Trip.objects.filter(company_id=company_id, departure_at__gte=timezone.now())
                  .exclude(status=Trip.Status.CANCELLED)
                  .exclude(assignments__is_active=True).order_by("route__code", "departure_at"))
    assigned = 0
    for trip in open_trips:
        for driver_id in drivers:
            if DriverAssignment.objects.filter(driver_id=driver_id, is_active=True, starts_at__lt=trip.arrival_at,
                                               ends_at__gt=trip.departure_at).exists():
                continue
            try:
                rosters.assignment_create(principal=_ACTOR, trip_id=trip.id, driver_id=driver_id)
            except Conflict:
                continue
            assigned += 1
            break
    return assigned
