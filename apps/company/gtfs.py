"""A company's static GTFS feed (https://gtfs.org/schedule/reference/) as a zip, from its trips.

Every live trip (not cancelled) from yesterday on is a GTFS trip whose trip_id is our trip id, so a
real-time feed can name the same trips; stop_id and route_id are our ids too: all stable across exports.
Each service day is its own service, spelled out in calendar.txt; calendar_dates.txt lists no exceptions
because a cancelled trip is simply left out. Times in stop_times.txt are in the agency's timezone,
counted from "noon minus 12 hours" of the service day (so they pass 24:00 after midnight).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from django.utils import timezone as django_timezone

from apps.company import timetable
from apps.company.models import Company, Route, Stop, Trip, TripStop

ROUTE_TYPE_BUS = 3
FILES = {
    "agency.txt": ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang", "agency_phone",
                   "agency_email"],
    "stops.txt": ["stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon", "stop_timezone"],
    "routes.txt": ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
    "trips.txt": ["route_id", "service_id", "trip_id", "trip_headsign"],
    "stop_times.txt": ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence",
                       "shape_dist_traveled", "timepoint"],
    "calendar.txt": ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                     "start_date", "end_date"],
    "calendar_dates.txt": ["service_id", "date", "exception_type"],
    "feed_info.txt": ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date",
                      "feed_version"],
}


def _gtfs_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _service_day_origin(day: date, tz: str) -> datetime:
    """GTFS times count from noon minus 12 h of the service day (not midnight: that differs on DST days). The 12 h
    are elapsed time, so they are taken off in UTC: Python subtracts from an aware local time on the wall clock."""
    return datetime.combine(day, time(12)).replace(tzinfo=timetable.zone(tz)).astimezone(UTC) - timedelta(hours=12)


def _clock(instant: datetime, origin: datetime) -> str:
    seconds = int((instant - origin).total_seconds())
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def trip_start(*, departure_at: datetime, agency_timezone: str) -> tuple[str, str]:
    """(start_date YYYYMMDD, start_time HH:MM:SS) of a trip as this feed counts them: its service day and its
    departure from the first stop on that day's clock. A real-time feed's trip descriptor repeats both."""
    day = timetable.in_zone(departure_at, agency_timezone).date()
    return _gtfs_date(day), _clock(departure_at, _service_day_origin(day, agency_timezone))


def feed_rows(*, company_id: UUID, fallback_url: str) -> dict[str, list[list[str]]]:
    company = Company.objects.get(pk=company_id)
    agency_tz = company.timezone
    since = timetable.in_zone(django_timezone.now(), agency_tz).date() - timedelta(days=1)
    trips = list(Trip.objects.filter(company=company, service_date__gte=since)
                 .exclude(status=Trip.Status.CANCELLED).order_by("departure_at", "id"))
    trip_stops = list(TripStop.objects.filter(trip__in=[t.id for t in trips]).order_by("trip_id", "sequence"))
    stops = {s.id: s for s in Stop.objects.filter(company=company)}
    routes = Route.objects.filter(company=company).order_by("name")
    url = company.website or fallback_url
    rows: dict[str, list[list[str]]] = {name: [] for name in FILES}
    rows["agency.txt"].append([company.slug, company.name, url, agency_tz, "en", company.contact_phone,
                               company.contact_email])
    rows["stops.txt"] = [[str(s.id), s.name, s.town, f"{s.latitude:.6f}", f"{s.longitude:.6f}", s.timezone]
                         for s in sorted(stops.values(), key=lambda s: (s.town, s.name))]
    rows["routes.txt"] = [[str(r.id), company.slug, r.code, r.name, str(ROUTE_TYPE_BUS)] for r in routes]
    by_trip: dict[UUID, list[TripStop]] = {}
    for ts in trip_stops:
        by_trip.setdefault(ts.trip_id, []).append(ts)
    days: set[date] = set()
    for trip in trips:
        day = timetable.in_zone(trip.departure_at, agency_tz).date()
        days.add(day)
        its_stops = by_trip.get(trip.id, [])
        headsign = stops[its_stops[-1].stop_id].name if its_stops else ""
        rows["trips.txt"].append([str(trip.route_id), _gtfs_date(day), str(trip.id), headsign])
        origin = _service_day_origin(day, agency_tz)
        for ts in its_stops:
            rows["stop_times.txt"].append([str(trip.id), _clock(ts.arrive_at, origin), _clock(ts.depart_at, origin),
                                           str(ts.stop_id), str(ts.sequence), f"{ts.distance_km:.1f}", "1"])
    for day in sorted(days):
        weekdays = ["1" if day.isoweekday() == n else "0" for n in range(1, 8)]
        rows["calendar.txt"].append([_gtfs_date(day), *weekdays, _gtfs_date(day), _gtfs_date(day)])
    first, last = (min(days), max(days)) if days else (since, since)
    body = repr(sorted(rows.items())).encode()
    rows["feed_info.txt"].append([company.name, url, "en", _gtfs_date(first), _gtfs_date(last),
                                  hashlib.sha256(body).hexdigest()[:12]])
    return rows


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def feed_zip(*, company_id: UUID, fallback_url: str) -> bytes:
    rows = feed_rows(company_id=company_id, fallback_url=fallback_url)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, header in FILES.items():
            archive.writestr(name, _csv(header, rows[name]))
    return out.getvalue()
