"""Turning a local departure time and a route's minutes into instants (pure functions, no database).

A schedule's departure time is wall-clock time at the route's FIRST stop, in that stop's timezone; every
later stop is reached `minutes_from_origin` of elapsed time after the departure instant. Instants are
stored in UTC and rendered in each stop's own timezone.

Daylight saving, decided once: a wall time that does not exist (the hour skipped when clocks go forward)
is shifted forward by the length of the gap (02:30 becomes 03:30); a wall time that happens twice (clocks
go back) means its first occurrence. Both follow zoneinfo's fold=0 rule, so every run gives the same trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from transport.errors import ValidationFailed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"Unknown timezone {name!r}.", fields={"timezone": ["Unknown IANA timezone."]}) from exc


def is_timezone(name: str) -> bool:
    return name in _known_zones()


@cache  # reading the whole tz database is slow; it does not change while the process runs
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def local_departure(*, service_date: date, departure_time: time, timezone: str) -> datetime:
    """The UTC instant of `departure_time` on `service_date` at a place in `timezone` (see module doc for DST)."""
    wall = datetime.combine(service_date, departure_time).replace(tzinfo=zone(timezone), fold=0)
    return wall.astimezone(UTC)


@dataclass(frozen=True)
class StopTime:
    sequence: int
    stop_id: UUID
    arrive_at: datetime
    depart_at: datetime
    distance_km: Decimal


def stop_times(*, departure_at: datetime, route_stops: list[tuple[int, UUID, int, Decimal]]) -> list[StopTime]:
    """Times at each stop from (sequence, stop_id, minutes_from_origin, distance_km) rows, in order."""
    times = []
    for sequence, stop_id, minutes, distance_km in route_stops:
        at = departure_at + timedelta(minutes=minutes)
        times.append(StopTime(sequence=sequence, stop_id=stop_id, arrive_at=at, depart_at=at, distance_km=distance_km))
    return times


def in_zone(instant: datetime, timezone: str) -> datetime:
    return instant.astimezone(zone(timezone))
