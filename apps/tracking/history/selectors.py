"""A trip's track from the position history: its points in time order, the distance along them (haversine)
and the time from the first fix to the last, with the points read in pages for replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection

from apps.company import api as company_api
from apps.tracking.models import HISTORY_TABLE, PositionRecord
from apps.tracking.permissions import VIEW_FLEET
from transport.principal import Principal

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
MAX_TRACK_POINTS = 10_000

# Totals over every fix of the trip, whatever page of points is read: the distance sums the great-circle
# (haversine) legs between consecutive fixes in fixed_at order (id breaks ties, as in the pages). The first fix
# has no leg: the filter keeps it out, since least() would turn its NULL into 1 (half the globe). least() itself
# guards asin against a rounding above 1.
_TOTALS_SQL = f"""
    SELECT count(*), min(fixed_at), max(fixed_at), coalesce(sum(
        2 * %s * asin(least(1.0, sqrt(
            power(sin(radians(latitude - prev_latitude) / 2), 2)
            + cos(radians(prev_latitude)) * cos(radians(latitude))
            * power(sin(radians(longitude - prev_longitude) / 2), 2)
        )))
    ) FILTER (WHERE prev_latitude IS NOT NULL), 0)
    FROM (
        SELECT latitude, longitude, fixed_at,
               lag(latitude) OVER legs AS prev_latitude, lag(longitude) OVER legs AS prev_longitude
        FROM {HISTORY_TABLE} WHERE trip_id = %s AND company_id = %s
        WINDOW legs AS (ORDER BY fixed_at, id)
    ) AS fixes
"""  # noqa: S608 - the table name is ours; every value is a parameter


@dataclass(frozen=True)
class TrackPoint:
    latitude: float
    longitude: float
    fixed_at: datetime
    speed_kmh: float | None
    heading: float | None
    altitude_m: float | None
    accuracy_m: float | None


@dataclass(frozen=True)
class Track:
    trip_id: UUID
    points: tuple[TrackPoint, ...]  # those fixed after `since`, in fixed_at order, at most `limit`
    point_count: int  # every fix of the trip
    distance_m: float  # along every fix of the trip
    duration: timedelta  # first fix to last
    started_at: datetime | None
    ended_at: datetime | None
    next_since: datetime | None  # ask again with since=this for the next page; None: this page is the last


def trip_track(*, trip_id: UUID, company_id: UUID, since: datetime | None = None,
               limit: int = MAX_TRACK_POINTS) -> Track:
    """The track of a trip of `company_id` (none of another company's fixes): totals over the whole trip, and
    the points fixed strictly after `since` (all when None), `limit` at most."""
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, [EARTH_RADIUS_M, trip_id, company_id])
        count, started_at, ended_at, distance_m = cursor.fetchone()
    rows = PositionRecord.objects.filter(trip_id=trip_id, company_id=company_id)
    if since is not None:
        rows = rows.filter(fixed_at__gt=since)
    page = [TrackPoint(**row) for row in rows.order_by("fixed_at", "id").values(
        "latitude", "longitude", "fixed_at", "speed_kmh", "heading", "altitude_m", "accuracy_m")[:limit + 1]]
    next_since = None
    if len(page) > limit:
        page = _whole_instants(page[:limit], following=page[limit])
        next_since = page[-1].fixed_at
    return Track(trip_id=trip_id, points=tuple(page), point_count=count, distance_m=float(distance_m),
                 duration=(ended_at - started_at) if count else timedelta(0), started_at=started_at,
                 ended_at=ended_at, next_since=next_since)


def _whole_instants(page: list[TrackPoint], *, following: TrackPoint) -> list[TrackPoint]:
    """The page without its last fixes when they share their instant with the first fix left out: the next
    page starts strictly after the page's last instant, and would otherwise skip them. A page of one single
    instant is kept whole (the rest of that instant is beyond any page)."""
    if following.fixed_at != page[-1].fixed_at:
        return page
    kept = [point for point in page if point.fixed_at != following.fixed_at]
    return kept or page


def trip_track_visible(*, principal: Principal, trip_id: UUID, since: datetime | None = None,
                       limit: int = MAX_TRACK_POINTS) -> Track:
    """A trip's track for its company's staff holding tracking.view_fleet; another company's trip, or an
    unknown one, is NotFound."""
    trip = company_api.get_trip(trip_id=trip_id)
    principal.require(VIEW_FLEET, company_id=trip.company_id)
    return trip_track(trip_id=trip_id, company_id=trip.company_id, since=since, limit=limit)


@dataclass(frozen=True)
class RecordedFix:
    latitude: float
    longitude: float
    fixed_at: datetime


def newest_live_fix(*, bus_id: UUID) -> RecordedFix | None:
    """The newest fix history holds as offered to the live store: what the live position was, for when Redis has
    lost it (restarted empty) or does not answer."""
    found = (PositionRecord.objects.filter(bus_id=bus_id, live=True).order_by("-fixed_at")
             .values_list("latitude", "longitude", "fixed_at").first())
    return None if found is None else RecordedFix(latitude=found[0], longitude=found[1], fixed_at=found[2])
