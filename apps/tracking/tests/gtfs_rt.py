"""Reading a company's GTFS-Realtime feeds in tests, and judging them against its static GTFS feed: with the
gtfs-rt-validator package (MobilityData's rules in Python, no JVM) and with our own checks of what the feeds must
repeat from the static feed."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt
from gtfs_rt_validator.api import Mode, Request, resolve_roles, validate
from rest_framework.test import APIClient

from apps.company import api as company_api
from apps.tracking import live
from apps.tracking.fixes import Fix
from tests.worlds.ticketing import SalesWorld
from tests.worlds.tracking import earlier_today, trip_departs_at, trip_move

FEEDS = {"vp": "vehicle-positions", "tu": "trip-updates", "sa": "alerts"}  # by the validator's role names


def slug_of(world: SalesWorld) -> str:
    return company_api.company_settings(company_id=world.company_id).slug


def report_position(world: SalesWorld, *, trip_id: UUID | None, bus_id: UUID | None = None, speed_kmh: float = 72.0,
                    heading: float = 90.0, ago: timedelta = timedelta(seconds=30)) -> Fix:
    """The bus's live position, reported `ago` for `trip_id`: 700 metres from the stops (the sales world puts
    them all at -1.0, 36.0; a validator warns of a bus far from every stop)."""
    at = timezone.now().replace(microsecond=0) - ago
    fix = Fix(company_id=world.company_id, bus_id=bus_id or world.bus_id, source="device:test", latitude=-0.9955,
              longitude=36.0049, fixed_at=at, received_at=at, trip_id=trip_id, speed_kmh=speed_kmh, heading=heading)
    assert live.position_move(fix)
    return fix


def under_way(world: SalesWorld, move: str = "depart") -> datetime:
    """The world's trip leaves today (see earlier_today) and boards or departs; its departure."""
    departs = earlier_today()
    trip_departs_at(world.trip_id, departs)
    trip_move(world, move)
    return departs


def feed_url(slug: str, feed: str) -> str:
    return f"/api/v1/tracking/gtfs-rt/{slug}/{feed}"


def read_feed(slug: str, feed: str) -> rt.FeedMessage:
    answer = APIClient().get(feed_url(slug, feed))
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "application/x-protobuf"
    return rt.FeedMessage.FromString(answer.content)


def static_zip(slug: str) -> bytes:
    answer = APIClient().get(f"/api/v1/company/{slug}/gtfs.zip")
    assert answer.status_code == 200
    return answer.content


def static_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
                for name in archive.namelist()}


def validator_findings(static: bytes, feeds: dict[str, bytes], folder: Path) -> list[tuple[str, str]]:
    """(rule id, what it says) of every notice and system error the validator has for the feeds (by role: vp, tu,
    sa) read against the static feed."""
    gtfs = folder / "gtfs.zip"
    gtfs.write_bytes(static)
    urls = {role: f"https://feeds.invalid/{FEEDS[role]}" for role in feeds}
    by_url = {urls[role]: data for role, data in feeds.items()}
    result = validate(Request(mode=Mode.MODERN, gtfs=gtfs, inputs=resolve_roles(urls, fetch=by_url.__getitem__)))
    found = [*result.run.system_errors.in_order(), *result.run.notices.in_order()]
    return [(occurrence.rule_id, occurrence.prefix) for occurrence in found]


def _descriptor_problems(trip: rt.TripDescriptor, tables: dict[str, list[dict[str, str]]], where: str) -> list[str]:
    trips = {row["trip_id"]: row for row in tables["trips.txt"]}
    row = trips.get(trip.trip_id)
    if row is None:
        return [f"{where}: trip {trip.trip_id} is not in trips.txt"]
    first = min((s for s in tables["stop_times.txt"] if s["trip_id"] == trip.trip_id),
                key=lambda s: int(s["stop_sequence"]))
    expected = (row["route_id"], row["service_id"], first["departure_time"])
    actual = (trip.route_id, trip.start_date, trip.start_time)
    return [] if actual == expected else [f"{where}: (route, start date, start time) {actual} != {expected}"]


def static_problems(message: rt.FeedMessage, tables: dict[str, list[dict[str, str]]], *, now: int) -> list[str]:
    """What our feeds must hold beyond the validator's rules, checked against the static feed's tables: the header;
    trips named with the route, service day and start time the static feed gives them (cancelled ones aside);
    stops and sequences of the static trip, in order, times increasing; timestamps in POSIX seconds, none after
    the header's; alerts naming the agency."""
    problems = []
    header = message.header
    if (header.gtfs_realtime_version, header.incrementality) != ("2.0", rt.FeedHeader.FULL_DATASET):
        problems.append("header: version or incrementality")
    if not now - 60 <= header.timestamp <= now:
        problems.append(f"header: timestamp {header.timestamp} is not now ({now}) in seconds")
    stop_ids = {row["stop_id"] for row in tables["stops.txt"]}
    agencies = {row["agency_id"] for row in tables["agency.txt"]}
    for entity in message.entity:
        where = f"entity {entity.id}"
        if entity.HasField("vehicle"):
            vehicle = entity.vehicle
            problems += _descriptor_problems(vehicle.trip, tables, where)
            if not vehicle.vehicle.id or not 0 < vehicle.timestamp <= header.timestamp:
                problems.append(f"{where}: vehicle id or timestamp")
            if vehicle.stop_id not in stop_ids:
                problems.append(f"{where}: stop {vehicle.stop_id} is not in stops.txt")
        if entity.HasField("trip_update"):
            update = entity.trip_update
            if update.trip.schedule_relationship != rt.TripDescriptor.CANCELED:
                problems += _descriptor_problems(update.trip, tables, where)
            calls = {int(s["stop_sequence"]): s["stop_id"] for s in tables["stop_times.txt"]
                     if s["trip_id"] == update.trip.trip_id}
            times = [t for u in update.stop_time_update for t in (u.arrival.time, u.departure.time)]
            sequences = [u.stop_sequence for u in update.stop_time_update]
            if times != sorted(times) or sequences != sorted(set(sequences)):
                problems.append(f"{where}: stop time updates out of order")
            if any(calls.get(u.stop_sequence) != u.stop_id for u in update.stop_time_update):
                problems.append(f"{where}: a stop time update names a stop the static trip has not there")
            if not 0 < update.timestamp <= header.timestamp:
                problems.append(f"{where}: timestamp")
        if entity.HasField("alert"):
            for selected in entity.alert.informed_entity:
                if selected.agency_id not in agencies or selected.route_id != selected.trip.route_id:
                    problems.append(f"{where}: informed entity {selected.agency_id} {selected.route_id}")
            if not all(0 < period.start < period.end for period in entity.alert.active_period):
                problems.append(f"{where}: active period")
    return problems
