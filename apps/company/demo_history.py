"""Company's part of a demo company's operating history (transport.demo.demo_history): every departure its
schedules would have run on each day of the history, most arrived, a few cancelled with a reason, some late
with the delay and its reason announced, and what the bus was seen to do at each stop; the drivers on them.

Written with bulk inserts, ids as the materialiser names trips (so a past trip it already made is the same
row, brought up to date), every draw from the history's own generator in the order of route code, departure
and day: the same history of the same network gives the same rows.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

from apps.auth import api as auth_api
from apps.company.models import Bus, DriverAssignment, Schedule, Trip, TripStop
from apps.company.services.materialise import departures, trip_id_for
from apps.company.services.trips import build_trip
from transport.demo import DemoHistory, demo_history_seeder, recorded_times
from transport.principal import Principal

CANCELLED_SHARE = 0.03
LATE_SHARE = 0.22
CANCEL_REASONS = ["Bus breakdown before departure", "Too few passengers; merged with the next departure",
                  "Road closed by flooding", "Driver taken ill; no relief driver in time"]
DELAY_REASONS = ["Heavy traffic leaving town", "Police checkpoint", "Roadworks", "Flat tyre",
                 "Late arrival of the previous trip", "Rain slowed the road", "Waiting for a connecting bus"]
# how long before its departure the materialiser made a trip (the days it plans ahead)
PLANNED_AHEAD = timedelta(days=14)
_ACTOR = Principal.system("company-demo-history", {"identity.view_members"})


@demo_history_seeder(order=20)
def seed_history(history: DemoHistory) -> None:
    rng = history.random("company.trips")
    drivers = _drivers(history.company_id)
    busy: dict[UUID, list[tuple[datetime, datetime]]] = {driver: [] for driver in drivers}
    trips: list[Trip] = []
    stops: list[TripStop] = []
    assignments: list[DriverAssignment] = []
    schedules = _schedules(history.company_id)
    for day in history.day_list():
        for index, schedule in enumerate(schedules):
            route_stops = sorted(schedule.route.route_stops.all(), key=lambda rs: rs.sequence)
            # as if valid since before the history: the demo network was running then
            schedule.valid_from = min(schedule.valid_from, day)
            for service_date, departure_time in departures(schedule, list(schedule.exceptions.all()), day, day):
                trip, trip_stops = build_trip(route=schedule.route, route_stops=route_stops, bus=schedule.bus,
                                              service_date=service_date, departure_time=departure_time,
                                              schedule_id=schedule.id,
                                              trip_id=trip_id_for(schedule.id, service_date, departure_time))
                _run(trip, trip_stops, rng)
                trips.append(trip)
                stops.extend(trip_stops)
                driver = _free_driver(drivers, busy, trip, first=index)
                if driver is not None:
                    assignments.append(DriverAssignment(
                        id=history.uuid("assignment", trip.id), company_id=trip.company_id, trip_id=trip.id,
                        driver_id=driver, starts_at=trip.departure_at, ends_at=trip.arrival_at,
                        is_active=trip.status != Trip.Status.CANCELLED, created_at=trip.created_at))
    with recorded_times(Trip, DriverAssignment):
        # a past trip the materialiser made before is the same row: it takes what happened to it
        Trip.objects.bulk_create(trips, update_conflicts=True, unique_fields=["id"], update_fields=[
            "status", "delay_minutes", "delay_reason", "cancel_reason", "updated_at"])
        TripStop.objects.bulk_create(stops, update_conflicts=True, unique_fields=["trip", "sequence"],
                                     update_fields=["arrived_at", "departed_at"])
        # a driver already rostered at that time (by hand, in the live demo) keeps that trip
        DriverAssignment.objects.bulk_create(assignments, ignore_conflicts=True)


def _schedules(company_id: UUID) -> list[Schedule]:
    return list(Schedule.objects.filter(company_id=company_id, is_active=True, route__is_active=True,
                                        bus__status=Bus.Status.ACTIVE)
                .select_related("route", "bus__layout").prefetch_related("exceptions", "route__route_stops__stop")
                .order_by("route__code", "departure_time"))


def _drivers(company_id: UUID) -> list[UUID]:
    members = auth_api.company_members(principal=_ACTOR, company_id=company_id, role="driver")
    return [member.user_id for member in sorted(members, key=lambda member: member.full_name)]


def _run(trip: Trip, stops: list[TripStop], rng: random.Random) -> None:
    """What happened to the trip: cancelled (with a reason), or arrived on time or late; the stop times seen."""
    trip.created_at = trip.departure_at - PLANNED_AHEAD
    trip.updated_at = trip.arrival_at
    draw = rng.random()
    if draw < CANCELLED_SHARE:
        trip.status = Trip.Status.CANCELLED
        trip.cancel_reason = rng.choice(CANCEL_REASONS)
        trip.updated_at = trip.departure_at - timedelta(hours=rng.randint(2, 20))
        return
    trip.status = Trip.Status.ARRIVED
    if draw < CANCELLED_SHARE + LATE_SHARE:
        # late: some lost at the start, the rest on the road; announced past the alert threshold
        final = rng.choice([rng.randint(12, 45), rng.randint(12, 45), rng.randint(46, 150)])
        start = rng.randint(0, final // 2)
        trip.delay_minutes = final
        trip.delay_reason = rng.choice(DELAY_REASONS)
    else:
        # on time: within a few minutes of the timetable either way
        start = rng.randint(0, 3)
        final = rng.randint(-4, 5)
    last = len(stops) - 1
    for position, stop in enumerate(stops):
        lateness = start + (final - start) * position / last
        seen = stop.arrive_at + timedelta(minutes=round(lateness), seconds=rng.randint(0, 59))
        stop.arrived_at = None if position == 0 else seen
        stop.departed_at = None if position == last else seen + timedelta(
            minutes=0 if position == 0 else rng.randint(1, 5))
    trip.updated_at = (stops[-1].arrived_at or trip.arrival_at) + timedelta(minutes=1)


def _free_driver(drivers: list[UUID], busy: dict[UUID, list[tuple[datetime, datetime]]], trip: Trip,
                 *, first: int) -> UUID | None:
    """The first driver free for the trip, starting from the schedule's own (each route keeps its driver when the
    company has enough of them)."""
    if not drivers:
        return None
    for offset in range(len(drivers)):
        driver = drivers[(first + offset) % len(drivers)]
        if all(trip.arrival_at <= start or end <= trip.departure_at for start, end in busy[driver]):
            busy[driver].append((trip.departure_at, trip.arrival_at))
            return driver
    return None

