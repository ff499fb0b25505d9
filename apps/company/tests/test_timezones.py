"""Times at stops: the departure is wall time at the origin; each stop's time is shown in its own zone;
daylight saving changes are handled one documented way (a skipped wall time moves forward by the gap,
a repeated one means its first occurrence)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.company import api
from apps.company.models import Trip
from apps.company.services import network, schedules, trips
from apps.company.services.materialise import trips_materialise
from apps.company.tests.world import ad_hoc_trip, tomorrow

NEW_YORK = "America/New_York"


def test_a_route_crossing_into_another_timezone_shows_each_stop_in_its_own(tenant_a):
    # given a route Nairobi (UTC+3) -> Kampala (UTC+3) -> Kigali (UTC+2), leaving Nairobi at 07:00
    route = network.route_create(principal=tenant_a.admin, company_id=tenant_a.company.id, name="Great Lakes",
                                 code="NBI-KGL", stops=[
                                     {"stop_id": tenant_a.stops["Nairobi"].id, "distance_km": "0",
                                      "minutes_from_origin": 0},
                                     {"stop_id": tenant_a.stops["Kampala"].id, "distance_km": "660",
                                      "minutes_from_origin": 720},
                                     {"stop_id": tenant_a.stops["Kigali"].id, "distance_km": "1170",
                                      "minutes_from_origin": 1200},
                                 ])
    day = tomorrow()
    trip = Trip.objects.get(pk=network_trip(tenant_a, route.id, day, time(7, 0)))
    # when another app reads the trip
    details = api.get_trip(trip_id=trip.id)
    # then each time is in its stop's zone: 07:00 EAT, 19:00 EAT, 02:00 CAT the next day (03:00 EAT)
    shown = [(s.timezone, s.depart_at.isoformat()) for s in details.stops]
    next_day = day + timedelta(days=1)
    assert shown == [
        ("Africa/Nairobi", f"{day.isoformat()}T07:00:00+03:00"),
        ("Africa/Kampala", f"{day.isoformat()}T19:00:00+03:00"),
        ("Africa/Kigali", f"{next_day.isoformat()}T02:00:00+02:00"),
    ]
    assert details.stops[2].depart_at - details.stops[0].depart_at == timedelta(hours=20)
    assert trip.departure_at == datetime.combine(day, time(4, 0), tzinfo=UTC)


def network_trip(tenant, route_id, day, at):
    return trips.trip_create(principal=tenant.admin, company_id=tenant.company.id, route_id=route_id,
                             bus_id=tenant.bus.id, service_date=day, departure_time=at).id


def _next_change(zone: str, forward: bool) -> date:
    """The next date (after tomorrow) when the zone's clocks go forward (or back)."""
    tz = ZoneInfo(zone)
    day = timezone.now().date() + timedelta(days=2)
    while True:
        before = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
        after = datetime.combine(day, time(23, 59), tzinfo=tz).utcoffset()
        assert before is not None and after is not None  # an aware time has an offset
        if before != after and (after > before) == forward:
            return day
        day += timedelta(days=1)


def _dst_schedule(tenant, departure: time, day: date):
    york = network.stop_create(principal=tenant.admin, company_id=tenant.company.id, name="New York Port Authority",
                               town="New York", latitude=Decimal("40.757"), longitude=Decimal("-73.990"),
                               timezone=NEW_YORK)
    philly = network.stop_create(principal=tenant.admin, company_id=tenant.company.id, name="Philadelphia 30th St",
                                 town="Philadelphia", latitude=Decimal("39.956"), longitude=Decimal("-75.182"),
                                 timezone=NEW_YORK)
    route = network.route_create(principal=tenant.admin, company_id=tenant.company.id, name="NY - PHL", code="NYP",
                                 stops=[{"stop_id": york.id, "distance_km": "0", "minutes_from_origin": 0},
                                        {"stop_id": philly.id, "distance_km": "150", "minutes_from_origin": 120}])
    return schedules.schedule_create(principal=tenant.admin, company_id=tenant.company.id, route_id=route.id,
                                     bus_id=tenant.spare_bus.id, departure_time=departure,
                                     weekdays=[1, 2, 3, 4, 5, 6, 7], valid_from=day - timedelta(days=1),
                                     valid_to=day + timedelta(days=1))


def _made(schedule) -> list[tuple[str, str]]:
    return [(api.get_trip(trip_id=t.id).departure_at.isoformat(), t.departure_at.astimezone(UTC).strftime("%H:%M"))
            for t in Trip.objects.filter(schedule=schedule).order_by("departure_at")]


def test_a_departure_in_the_hour_skipped_by_spring_forward_leaves_an_hour_later(tenant_a):
    # given a daily 02:30 departure in New York around the day clocks go forward at 02:00
    day = _next_change(NEW_YORK, forward=True)
    schedule = _dst_schedule(tenant_a, time(2, 30), day)
    # when trips are made (twice: the result must not depend on the run)
    trips_materialise(days_ahead=(day - timezone.now().date()).days + 2, company_id=tenant_a.company.id)
    trips_materialise(days_ahead=(day - timezone.now().date()).days + 2, company_id=tenant_a.company.id)
    # then 02:30 does not exist on that day: the trip leaves at 03:30 EDT, the same instant 02:30 EST would be
    before, on, after = day - timedelta(days=1), day, day + timedelta(days=1)
    assert _made(schedule) == [
        (f"{before}T02:30:00-05:00", "07:30"),
        (f"{on}T03:30:00-04:00", "07:30"),
        (f"{after}T02:30:00-04:00", "06:30"),
    ]


def test_a_departure_in_the_hour_repeated_by_fall_back_takes_the_first(tenant_a):
    # given a daily 01:30 departure around the day clocks go back at 02:00
    day = _next_change(NEW_YORK, forward=False)
    schedule = _dst_schedule(tenant_a, time(1, 30), day)
    trips_materialise(days_ahead=(day - timezone.now().date()).days + 2, company_id=tenant_a.company.id)
    before, on, after = day - timedelta(days=1), day, day + timedelta(days=1)
    # then on the change day it leaves at the first 01:30 (EDT); arrival two hours of real time later
    assert _made(schedule) == [
        (f"{before}T01:30:00-04:00", "05:30"),
        (f"{on}T01:30:00-04:00", "05:30"),
        (f"{after}T01:30:00-05:00", "06:30"),
    ]
    trip = Trip.objects.get(schedule=schedule, service_date=on)
    assert [s.arrive_at.isoformat() for s in api.get_trip(trip_id=trip.id).stops] == [
        f"{on}T01:30:00-04:00", f"{on}T02:30:00-05:00"]


def test_ad_hoc_trips_use_the_origin_zone(tenant_a):
    trip = ad_hoc_trip(tenant_a, at=time(22, 0))
    assert trip.departure_at.astimezone(ZoneInfo("Africa/Nairobi")).time() == time(22, 0)
    assert trip.arrival_at - trip.departure_at == timedelta(minutes=360)
