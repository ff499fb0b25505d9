"""Demo data of company for `make run`: each demo company (under the id identity's demo gave its staff), real
places in Kenya and Uganda, routes, a 49-seat standard and a 36-seat VIP coach layout, buses, daily schedules,
and the next 14 days of trips with drivers on them; and the simulated bus's run, a commuter trip up Thika Road
departing as the platform starts. Safe to run on every start. A company's operating history (its past trips as
the schedules ran them) is in demo_history.py."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import layouts, timetable
from apps.company.demo_history import seed_history as seed_history  # registers company's part of the history
from apps.company.models import Bus, Company, DriverAssignment, Route, SeatLayout, Stop, Trip
from apps.company.permissions import ROLE_GRANTS
from apps.company.services import fleet, network, rosters, schedules, trips
from apps.company.services.materialise import trips_materialise
from transport.demo import (
    DEMO_COMPANIES,
    DEMO_HISTORY_DAYS,
    DEMO_SIMULATED_BUS,
    DEMO_SIMULATED_COMPANY,
    DemoCompany,
    DemoOutput,
    demo_company_seeder,
    demo_local_today,
    demo_seeder,
)
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
# the simulated bus's commuter run up Thika Road (transport.demo): real places, the road's kilometres, a coach's
# minutes; no schedule, one trip each time the demo starts
SIMULATED_ROUTE = ("Nairobi - Thika", "NBI-THK")
SIMULATED_STOPS = [  # stop, town, latitude, longitude, km, minutes from the origin
    ("Nairobi Bus Park", "Nairobi", "-1.286389", "36.817223", 0, 0),
    ("Pangani Stage", "Pangani", "-1.268000", "36.835000", 3, 5),
    ("Roysambu Stage", "Roysambu", "-1.218000", "36.888000", 11, 13),
    ("Ruiru Stage", "Ruiru", "-1.146000", "36.961000", 22, 24),
    ("Juja Stage", "Juja", "-1.102000", "37.013000", 30, 32),
    ("Thika Bus Park", "Thika", "-1.039000", "37.083000", 42, 43),
]
SIMULATED_PLATE = "KAS 500X"
SIMULATED_TIMEZONE = "Africa/Nairobi"
# the run departs at least this long after the seed: a new trip departs in the future
SIMULATED_RUN_LEAD = timedelta(minutes=2)
_ACTOR = Principal.system("company-demo", {
    *(p for perms in ROLE_GRANTS.values() for p in perms), "identity.view_members", "identity.manage_members"})
COMPANY_PROFILE = {
    "alpha": ("Alpha Coaches", "KE", "KES", "https://alpha.demo.transport.dev", "+254700000001"),
    "bravo": ("Bravo Express", "KE", "KES", "https://bravo.demo.transport.dev", "+254700000002"),
}


@demo_company_seeder(order=20)
def seed(company: DemoCompany, out: DemoOutput) -> None:
    slug, company_id = company.slug, company.id
    if not Company.objects.filter(pk=company_id).exists():
        _network(slug, company_id)
    trips_materialise(days_ahead=settings.COMPANY_TRIPS_DAYS_AHEAD, company_id=company_id)
    _assign_drivers(company_id)
    # the same words on every start (the launcher prints them): nothing that counts this run's work
    out.add_note(f"Demo company {slug}: daily trips on {len(ROUTES)} routes for the next "
                 f"{settings.COMPANY_TRIPS_DAYS_AHEAD} days, and the past {DEMO_HISTORY_DAYS} days' operating "
                 f"history; GTFS feed at /api/v1/company/{slug}/gtfs.zip")


@demo_local_today
def local_today(company_id: uuid.UUID) -> date:
    """The company's today in its timezone: where `make run` anchors its history."""
    return timetable.in_zone(timezone.now(), Company.objects.get(pk=company_id).timezone).date()


def _profile(slug: str) -> tuple[str, str, str, str, str]:
    """Alpha's and bravo's as printed; any other demo company gets one of the same shape, from its slug."""
    if slug in COMPANY_PROFILE:
        return COMPANY_PROFILE[slug]
    number = int(uuid.uuid5(uuid.NAMESPACE_DNS, slug).hex[:6], 16) % 1_000_000
    return (f"{slug.replace('-', ' ').title()} Coaches", "KE", "KES", f"https://{slug}.demo.transport.dev",
            f"+254701{number:06d}")


def _network(slug: str, company_id: uuid.UUID) -> None:
    name, country, currency, website, phone = _profile(slug)
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


@demo_seeder(order=21)
def seed_simulated_run(out: DemoOutput) -> None:
    """The demo's simulated bus and its run: a trip up Thika Road departing as the platform starts, already
    boarding, so that its tracker's fixes count for it. A run still due to be under way is kept (the simulator
    picks it up where the bus is); one that should have arrived is closed, and a new one made."""
    company_id = DEMO_COMPANIES[DEMO_SIMULATED_COMPANY]
    if not Company.objects.filter(pk=company_id).exists():
        return
    bus = _simulated_bus(company_id)
    route = _simulated_route(company_id)
    now = timezone.now()
    under_way = list(Trip.objects.filter(bus=bus, status__in=[Trip.Status.BOARDING, Trip.Status.DEPARTED]))
    if any(trip.arrival_at > now for trip in under_way):
        return
    for stale in under_way:
        if stale.status == Trip.Status.DEPARTED:
            trips.trip_move(principal=_ACTOR, trip_id=stale.id, move="arrive")
        else:
            trips.trip_cancel(principal=_ACTOR, trip_id=stale.id, reason="The demo run ended.")
    # after the bus's last trip as scheduled (one that arrived early still holds the bus until then)
    last = Trip.objects.filter(bus=bus).exclude(status=Trip.Status.CANCELLED).order_by("-arrival_at").first()
    departure = _next_minute(max(now + SIMULATED_RUN_LEAD, last.arrival_at if last else now))
    local = timezone.localtime(departure, timetable.zone(SIMULATED_TIMEZONE))
    trip = trips.trip_create(principal=_ACTOR, company_id=company_id, route_id=route.id, bus_id=bus.id,
                             service_date=local.date(), departure_time=local.time())
    _assign_drivers(company_id)
    trips.trip_move(principal=_ACTOR, trip_id=trip.id, move="board")


def _next_minute(at: datetime) -> datetime:
    return datetime.fromtimestamp(math.ceil(at.timestamp() / 60) * 60, tz=at.tzinfo)


def _simulated_bus(company_id: uuid.UUID) -> Bus:
    """Made with its fixed id (transport.demo), as the companies are, so that tracking's demo finds it."""
    bus = Bus.objects.filter(pk=DEMO_SIMULATED_BUS).first()
    if bus is None:
        layout = SeatLayout.objects.filter(company_id=company_id).earliest("created_at")  # the standard coach
        bus = Bus.objects.create(id=DEMO_SIMULATED_BUS, company_id=company_id, plate=SIMULATED_PLATE, layout=layout,
                                 amenities=["usb"])
    return bus


def _simulated_route(company_id: uuid.UUID) -> Route:
    name, code = SIMULATED_ROUTE
    route = Route.objects.filter(company_id=company_id, code=code).first()
    if route is not None:
        return route
    stops = []
    for stop_name, town, lat, lng, km, minutes in SIMULATED_STOPS:
        stop = Stop.objects.filter(company_id=company_id, name=stop_name).first() or network.stop_create(
            principal=_ACTOR, company_id=company_id, name=stop_name, town=town, latitude=Decimal(lat),
            longitude=Decimal(lng), timezone=SIMULATED_TIMEZONE)
        stops.append({"stop_id": stop.id, "distance_km": km, "minutes_from_origin": minutes})
    return network.route_create(principal=_ACTOR, company_id=company_id, name=name, code=code, stops=stops)
