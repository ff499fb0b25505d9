"""Trips between two places on a date: the passenger search's hot path, two indexed statements.

1. The boarding and alighting stops (by id or town; company_stop_town_idx), with their timezones.
2. For each boarding stop, the exact UTC span of the local date (so daylight saving days are right),
   joined to its trip stops through company_tripstop_search_idx (stop_id, depart_at), then to a later stop
   of the same trip among the alighting stops.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower

from apps.company import timetable
from apps.company.models import Company, Route, Stop, Trip, TripStop

SEARCHABLE_STATUSES = [Trip.Status.SCHEDULED, Trip.Status.BOARDING]
MAX_RESULTS = 200


def _sql() -> str:
    trip, trip_stop, route, company = (Trip._meta.db_table, TripStop._meta.db_table, Route._meta.db_table,
                                       Company._meta.db_table)
    return f"""
        SELECT t.id, t.company_id, c.name, c.currency, t.route_id, r.name, r.code, t.status, t.delay_minutes,
               t.bus_id, t.layout_version_id, t.service_date,
               a.sequence, a.stop_id, a.depart_at, a.distance_km,
               b.sequence, b.stop_id, b.arrive_at, b.distance_km
        FROM unnest(%(from_ids)s::uuid[], %(starts)s::timestamptz[], %(ends)s::timestamptz[]) AS f(stop_id, s, e)
        JOIN {trip_stop} a ON a.stop_id = f.stop_id AND a.depart_at >= f.s AND a.depart_at < f.e
                           AND a.depart_at > %(now)s
        JOIN {trip_stop} b ON b.trip_id = a.trip_id AND b.sequence > a.sequence AND b.stop_id = ANY(%(to_ids)s)
        JOIN {trip} t ON t.id = a.trip_id
        JOIN {route} r ON r.id = t.route_id
        JOIN {company} c ON c.id = t.company_id
        WHERE t.status = ANY(%(statuses)s)
        ORDER BY a.depart_at, t.id
        LIMIT %(limit)s
    """  # noqa: S608 - identifiers come from the models' metadata; every value is a parameter


_SQL = _sql()


def _stops(ids: list[UUID], town: str | None, company_id: UUID | None) -> Q:
    match = Q(id__in=ids) if ids else Q()
    if town:
        match = (match | Q(town_key=town.lower())) if ids else Q(town_key=town.lower())
    if not ids and not town:
        return Q(pk__in=[])
    return match & (Q(company_id=company_id) if company_id else Q())


def stops_at(*, from_stop_ids: list[UUID], to_stop_ids: list[UUID], from_town: str | None, to_town: str | None,
             company_id: UUID | None) -> tuple[dict[UUID, tuple[str, str, str]], set[UUID], set[UUID]]:
    """One query: {stop id: (name, town, timezone)} of every matching stop, the boarding ids, the alighting ids."""
    rows = (Stop.objects.annotate(town_key=Lower("town"))
            .filter(_stops(from_stop_ids, from_town, company_id) | _stops(to_stop_ids, to_town, company_id))
            .values_list("id", "name", "town", "timezone", "town_key"))
    found, boarding, alighting = {}, set(), set()
    for stop_id, name, town, tz, town_key in rows:
        found[stop_id] = (name, town, tz)
        if stop_id in from_stop_ids or (from_town and town_key == from_town.lower()):
            boarding.add(stop_id)
        if stop_id in to_stop_ids or (to_town and town_key == to_town.lower()):
            alighting.add(stop_id)
    return found, boarding, alighting


def trip_rows(*, stops: dict[UUID, tuple[str, str, str]], boarding: set[UUID], alighting: set[UUID], on: date,
              now: datetime, limit: int) -> list[tuple]:
    """One query: the trips, boarding at one of `boarding` on the local date `on`, alighting later."""
    if not boarding or not alighting:
        return []
    ids, starts, ends = [], [], []
    for stop_id in sorted(boarding):
        tz = stops[stop_id][2]
        ids.append(stop_id)
        starts.append(datetime.combine(on, time.min).replace(tzinfo=timetable.zone(tz)))
        ends.append(datetime.combine(on + timedelta(days=1), time.min).replace(tzinfo=timetable.zone(tz)))
    params: dict[str, Any] = {"from_ids": ids, "starts": starts, "ends": ends, "to_ids": list(alighting), "now": now,
              "statuses": [str(s) for s in SEARCHABLE_STATUSES], "limit": max(1, min(limit, MAX_RESULTS))}
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return cursor.fetchall()
