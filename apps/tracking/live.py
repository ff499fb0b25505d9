"""Live positions in Redis: a geo index per company (`tracking:{company_id}:geo`, member = bus id) and a hash
per bus (`bus:{bus_id}:geo`: lat, lon, speed, heading, fixed_at, trip_id). One Lua script moves both, and only
forward in time: two writers racing never put a bus back where it was. The same script publishes what a move is
announced with (apps/tracking/fanout.py makes it), only when it moved: one round trip to Redis, not two."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast
from uuid import UUID

import redis
from django.conf import settings
from redis.commands.core import Script

from apps.company import api as company_api
from apps.tracking.fixes import Fix
from transport.redis_client import quick_client

# Redis's geo index holds latitudes up to this (Web Mercator); a bus beyond it keeps its hash only
GEO_MAX_LATITUDE = 85.05112878

# KEYS: the bus's hash, the company's geo index. ARGV: bus id, lon, lat, fixed_at (microseconds since the
# epoch, compared), fixed_at (ISO), speed, heading, trip id, company id, "1" to index it, then pairs of a channel
# and a message to publish once it moved. Returns 1 if moved.
_MOVE_FORWARD = """
local current = redis.call('HGET', KEYS[1], 'fixed_at_us')
if current and tonumber(current) >= tonumber(ARGV[4]) then
  return 0
end
if ARGV[10] == '1' then
  redis.call('GEOADD', KEYS[2], ARGV[2], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
redis.call('HSET', KEYS[1], 'lat', ARGV[3], 'lon', ARGV[2], 'fixed_at_us', ARGV[4], 'fixed_at', ARGV[5],
           'speed', ARGV[6], 'heading', ARGV[7], 'trip_id', ARGV[8], 'company_id', ARGV[9])
for i = 11, #ARGV, 2 do
  redis.call('PUBLISH', ARGV[i], ARGV[i + 1])
end
return 1
"""


@dataclass(frozen=True)
class LiveBus:
    bus_id: UUID
    company_id: UUID
    latitude: float
    longitude: float
    fixed_at: datetime
    trip_id: UUID | None
    speed_kmh: float | None
    heading: float | None
    distance_m: float | None = None  # from the point a nearby search asked about


def client() -> redis.Redis:
    return quick_client()


@cache
def _move_forward(url: str) -> Script:
    """The script, run by its digest (EVALSHA): Redis is sent its text only when it does not know it, as after
    a restart."""
    return client().register_script(_MOVE_FORWARD)


def bus_key(bus_id: UUID) -> str:
    return f"bus:{bus_id}:geo"


def company_key(company_id: UUID) -> str:
    return f"tracking:{company_id}:geo"


def _micros(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def _text(value: float | UUID | None) -> str:
    return "" if value is None else str(value)


def position_move(fix: Fix, publications: Sequence[tuple[str, bytes]] = ()) -> bool:
    """Make `fix` its bus's live position if it is newer than the one stored, and then publish each (channel,
    message) of `publications`; True if it moved."""
    indexed = abs(fix.latitude) <= GEO_MAX_LATITUDE
    arguments: list[str | int | bytes] = [
        str(fix.bus_id), repr(fix.longitude), repr(fix.latitude), _micros(fix.fixed_at),
        fix.fixed_at.astimezone(UTC).isoformat(), _text(fix.speed_kmh), _text(fix.heading), _text(fix.trip_id),
        str(fix.company_id), "1" if indexed else "0"]
    for channel, message in publications:
        arguments += [channel, message]
    moved = _move_forward(settings.REDIS_URL)(keys=[bus_key(fix.bus_id), company_key(fix.company_id)],
                                              args=arguments, client=client())
    return bool(moved)


def _optional_float(raw: bytes | None) -> float | None:
    return float(raw) if raw else None


def _live(bus_id: UUID, values: dict[bytes, bytes], distance_m: float | None = None) -> LiveBus | None:
    if b"fixed_at" not in values:
        return None
    trip = values.get(b"trip_id")
    return LiveBus(
        bus_id=bus_id, company_id=UUID(values[b"company_id"].decode()), latitude=float(values[b"lat"]),
        longitude=float(values[b"lon"]), fixed_at=datetime.fromisoformat(values[b"fixed_at"].decode()),
        trip_id=UUID(trip.decode()) if trip else None, speed_kmh=_optional_float(values.get(b"speed")),
        heading=_optional_float(values.get(b"heading")), distance_m=distance_m,
    )


def bus_live(bus_id: UUID) -> LiveBus | None:
    """The bus's last accepted position, None if it never reported."""
    return _live(bus_id, cast(dict[bytes, bytes], client().hgetall(bus_key(bus_id))))


def buses_live(bus_ids: Iterable[UUID]) -> dict[UUID, LiveBus]:
    """The last accepted position of each of the buses that ever reported (one round trip to Redis)."""
    wanted = list(dict.fromkeys(bus_ids))
    pipe = client().pipeline(transaction=False)
    for bus_id in wanted:
        pipe.hgetall(bus_key(bus_id))
    found = (_live(bus_id, values) for bus_id, values in zip(wanted, pipe.execute(), strict=True))
    return {bus.bus_id: bus for bus in found if bus is not None}


def trip_live(trip_id: UUID) -> LiveBus | None:
    """The last known position of the trip's bus (NotFound for no such trip)."""
    return bus_live(company_api.get_trip(trip_id=trip_id).bus_id)


def nearby(company_id: UUID, latitude: float, longitude: float, radius_m: float) -> list[LiveBus]:
    """The company's buses within `radius_m` metres of the point, nearest first."""
    answer = client().geosearch(company_key(company_id), longitude=longitude, latitude=latitude, radius=radius_m,
                                unit="m", sort="ASC", withdist=True)
    # with withdist, each member comes as [name, distance]
    found = [(UUID(bytes(pair[0]).decode()), float(pair[1])) for pair in cast(list[list[Any]], answer)]
    pipe = client().pipeline(transaction=False)
    for bus_id, _distance in found:
        pipe.hgetall(bus_key(bus_id))
    buses = []
    for (bus_id, distance), values in zip(found, pipe.execute(), strict=True):
        bus = _live(bus_id, values, distance_m=distance)
        if bus is not None and bus.company_id == company_id:
            buses.append(bus)
    return buses


def company_buses(company_id: UUID) -> list[LiveBus]:
    """Every bus of the company that has a live position (in its geo index), in no particular order."""
    members = [UUID(bytes(member).decode()) for member in cast(list[bytes], client().zrange(company_key(company_id),
                                                                                          0, -1))]
    pipe = client().pipeline(transaction=False)
    for bus_id in members:
        pipe.hgetall(bus_key(bus_id))
    buses = []
    for bus_id, values in zip(members, pipe.execute(), strict=True):
        bus = _live(bus_id, values)
        if bus is not None and bus.company_id == company_id:
            buses.append(bus)
    return buses
