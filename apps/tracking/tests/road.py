"""A trip on the road for progress tests: places near and between the world's towns, a bus driving through
them (its reports go through ingestion, as a tracker app's do), and what company and the outbox kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.company import api as company_api
from apps.tracking.filters import EARTH_RADIUS_M
from apps.tracking.ingest import PointOutcome, PositionReport, fixes_ingest
from apps.tracking.tests.fleet import Fleet
from tests.worlds.tracking import PLACES, trip_on_the_road
from transport.events.models import OutboxMessage

Point = tuple[float, float]
METRES_PER_DEGREE = 3.141592653589793 * EARTH_RADIUS_M / 180


def north_of(town: str, metres: float) -> Point:
    latitude, longitude = PLACES[town]
    return latitude + metres / METRES_PER_DEGREE, longitude


def between(start: str, end: str, fraction: float) -> Point:
    """A point `fraction` of the way on the straight line from one town to the other."""
    (lat1, lon1), (lat2, lon2) = PLACES[start], PLACES[end]
    return lat1 + (lat2 - lat1) * fraction, lon1 + (lon2 - lon1) * fraction


def departing(fleet: Fleet, *, hours_ago: float) -> datetime:
    """The fleet's trip, with its stops at their towns, put on the road: it departs (by the timetable) this many
    hours before now, to the second. Its departure time."""
    departs_at = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    trip_on_the_road(fleet.world, departs_at=departs_at)
    return departs_at


def drive(fleet: Fleet, *positions: tuple[datetime, Point]) -> list[PointOutcome]:
    """The trip's driver's phone reports each position in turn, as it goes (one report each); every one is
    accepted, or the test drove wrong."""
    outcomes = []
    for at, (latitude, longitude) in positions:
        outcomes += batch(fleet, (at, (latitude, longitude)))
    assert [o.outcome for o in outcomes] == ["accepted"] * len(positions), outcomes
    return outcomes


def batch(fleet: Fleet, *positions: tuple[datetime, Point]) -> list[PointOutcome]:
    """The trip's driver's phone uploads the positions in one batch (buffered while offline)."""
    return fixes_ingest(company_id=fleet.company_id, bus_id=fleet.bus_id, trip_id=fleet.trip_id,
                        source=f"device:{fleet.driver_phone.id}",
                        reports=[PositionReport(latitude=lat, longitude=lon, fixed_at=at)
                                 for at, (lat, lon) in positions])


def stop_times(fleet: Fleet) -> list[tuple[datetime | None, datetime | None]]:
    """(arrived_at, departed_at) at each of the trip's stops, as company recorded them."""
    return [(stop.arrived_at, stop.departed_at) for stop in company_api.get_trip(trip_id=fleet.trip_id).stops]


def trip_status(fleet: Fleet) -> str:
    return company_api.get_trip(trip_id=fleet.trip_id).status


def events(name: str) -> list[dict[str, Any]]:
    """The payloads of company's events of this name, in the order published."""
    return [message.payload for message in
            OutboxMessage.objects.filter(event=f"company.{name}").order_by("created_at", "id")]


def minutes(count: float) -> timedelta:
    return timedelta(minutes=count)
