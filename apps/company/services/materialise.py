"""Making trips from schedules, a number of days ahead: the beat task's work.

Idempotent: a trip's id is derived from (schedule, service date, departure), and rows are inserted with
ON CONFLICT DO NOTHING, so running twice (or twice at once) makes each trip once. A departure whose bus is
already on an overlapping trip is skipped (the bus exclusion constraint refuses it) and reported.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone as django_timezone

from apps.company import timetable
from apps.company.models import Bus, Schedule, ScheduleException, Trip, TripStop
from apps.company.services.trips import build_trip

logger = logging.getLogger(__name__)
_TRIP_IDS = uuid.UUID("8f6f3c1e-5f55-4b59-9f0c-2f7f3bb0b6a1")  # namespace of materialised trip ids


@dataclass
class MaterialiseResult:
    planned: int = 0
    created: int = 0
    skipped_bus_busy: list[str] = field(default_factory=list)  # trip ids not made: the bus was on another trip


def trip_id_for(schedule_id: uuid.UUID, service_date: date, departure_time: time) -> uuid.UUID:
    return uuid.uuid5(_TRIP_IDS, f"{schedule_id}:{service_date.isoformat()}:{departure_time.isoformat()}")


def departures(schedule: Schedule, exceptions: list[ScheduleException], first: date,
               last: date) -> list[tuple[date, time]]:
    """(service date, local departure time) of a schedule between two dates, exceptions applied."""
    no_service = {e.date for e in exceptions if e.kind == ScheduleException.Kind.NO_SERVICE}
    start = max(first, schedule.valid_from)
    end = min(last, schedule.valid_to) if schedule.valid_to else last
    found = []
    day = start
    while day <= end:
        if day.isoweekday() in schedule.weekdays and day not in no_service:
            found.append((day, schedule.departure_time))
        day += timedelta(days=1)
    # the exception shape constraint gives every extra departure its time
    found += [(e.date, e.departure_time) for e in exceptions
              if e.kind == ScheduleException.Kind.EXTRA and e.departure_time is not None and first <= e.date <= last]
    return found


def trips_materialise(*, days_ahead: int, company_id: uuid.UUID | None = None) -> MaterialiseResult:
    """Make every scheduled trip from today (local to each route's origin) up to `days_ahead` days later."""
    result = MaterialiseResult()
    schedules = (Schedule.objects.filter(is_active=True, route__is_active=True, bus__status=Bus.Status.ACTIVE)
                 .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=django_timezone.now().date() - timedelta(days=1)))
                 .select_related("route", "bus__layout").prefetch_related("exceptions", "route__route_stops__stop"))
    if company_id is not None:
        schedules = schedules.filter(company_id=company_id)
    for schedule in schedules:
        route_stops = sorted(schedule.route.route_stops.all(), key=lambda rs: rs.sequence)
        if len(route_stops) < 2 or schedule.bus.layout.current_version_id is None:
            continue
        today = timetable.in_zone(django_timezone.now(), route_stops[0].stop.timezone).date()
        planned_trips, planned_stops = [], []
        for service_date, departure_time in departures(schedule, list(schedule.exceptions.all()), today,
                                                       today + timedelta(days=days_ahead)):
            trip, stops = build_trip(route=schedule.route, route_stops=route_stops, bus=schedule.bus,
                                     service_date=service_date, departure_time=departure_time,
                                     schedule_id=schedule.id,
                                     trip_id=trip_id_for(schedule.id, service_date, departure_time))
            planned_trips.append(trip)
            planned_stops.extend(stops)
        _insert(planned_trips, planned_stops, result)
    if result.skipped_bus_busy:
        logger.warning("Trips not materialised, their bus is busy", extra={"trip_ids": result.skipped_bus_busy})
    return result


@transaction.atomic
def _insert(trips: list[Trip], stops: list[TripStop], result: MaterialiseResult) -> None:
    if not trips:
        return
    ids = [trip.id for trip in trips]
    before = set(Trip.objects.filter(id__in=ids).values_list("id", flat=True))
    Trip.objects.bulk_create(trips, ignore_conflicts=True)
    after = set(Trip.objects.filter(id__in=ids).values_list("id", flat=True))
    TripStop.objects.bulk_create([s for s in stops if s.trip_id in after - before], ignore_conflicts=True)
    result.planned += len(trips)
    result.created += len(after - before)
    result.skipped_bus_busy += sorted(str(i) for i in set(ids) - after)
