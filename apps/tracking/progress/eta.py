"""When the bus will be at the stops still ahead (pure functions of the trip's plan, its progress and the time).

- The leg the bus is on: a stop it is heading for but is already past (nearer the leg after it than the one
  before, out of its radius) was passed unseen, and the bus heads for the next. The straight-line distance
  to the next stop, stretched by how much longer the road is than the straight line between the leg's stops
  (the route's distances say so), over the bus's smoothed recent speed; over the timetable's speed for that
  leg when the bus is standing or has reported too little.
- The legs after it: the timetable's run times, and at each intermediate stop its dwell time. A bus slowed in a
  town for a while does not make a 300 km trip hours late; the lateness it has now is carried to the end.
- Never earlier than now: a stop not reached yet is reached at the earliest now, and so everything after it.
- The first stop is left no earlier than the timetable says; later stops are left after their dwell.
- Before the bus is seen: the timetable, shifted by the delay announced. A stop reached or passed has its
  observed times (none for a stop passed unseen); the last stop has no departure. A cancelled trip expects
  nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.tracking.filters import EARTH_RADIUS_M, distance_m
from apps.tracking.progress.geofence import LEAVE_FACTOR
from apps.tracking.progress.plan import PlannedStop, TripPlan
from apps.tracking.progress.state import Progress, Sample

FALLBACK_KMH = 40.0  # a route whose timetable says no speed at all
MAX_DETOUR = 3.0  # a road at most this much longer than the straight line between its stops


@dataclass(frozen=True)
class Expected:
    arrival: datetime | None
    departure: datetime | None


def _run(stops: tuple[PlannedStop, ...], index: int) -> timedelta:
    """The timetable's time from the previous stop's departure to this stop's arrival."""
    return max(timedelta(0), stops[index].arrive_at - stops[index - 1].depart_at)


def _dwell(stop: PlannedStop) -> timedelta:
    return max(timedelta(0), stop.depart_at - stop.arrive_at)


def planned_kmh(stops: tuple[PlannedStop, ...], index: int) -> float:
    """The timetable's speed on the leg to stop `index`; the route's average for the first stop or a leg of no
    distance or time; FALLBACK_KMH when the route says none either."""
    if index > 0:
        km, hours = stops[index].distance_km - stops[index - 1].distance_km, _run(stops, index) / timedelta(hours=1)
        if km > 0 and hours > 0:
            return km / hours
    km = stops[-1].distance_km - stops[0].distance_km
    hours = (stops[-1].arrive_at - stops[0].depart_at) / timedelta(hours=1)
    return km / hours if km > 0 and hours > 0 else FALLBACK_KMH


def _road_km(stops: tuple[PlannedStop, ...], index: int, position: Sample) -> float:
    """The road distance from the position to stop `index`, guessed from the straight line."""
    stop = stops[index]
    straight_km = distance_m(position.latitude, position.longitude, stop.latitude, stop.longitude) / 1000
    if index == 0:
        return straight_km
    before = stops[index - 1]
    leg_straight_km = distance_m(before.latitude, before.longitude, stop.latitude, stop.longitude) / 1000
    leg_km = stop.distance_km - before.distance_km
    if leg_straight_km < 0.1 or leg_km <= 0:
        return straight_km
    return straight_km * min(max(leg_km / leg_straight_km, 1.0), MAX_DETOUR)


def expected_times(plan: TripPlan, progress: Progress, *, now: datetime, radius_m: float) -> list[Expected]:
    """The expected arrival and departure at each of the trip's stops, in order (`radius_m`: the stops' radius,
    as the geofence has it)."""
    stops = plan.stops
    if plan.status == "cancelled":
        return [Expected(None, None) for _ in stops]
    observed = [Expected(stop.arrived_at, stop.departed_at) for stop in stops]
    if plan.status == "arrived" or progress.done:
        return observed
    position = progress.position
    if position is None:
        return observed[:progress.next_index] + _ahead(
            stops, progress.next_index, stops[progress.next_index].arrive_at + timedelta(minutes=plan.delay_minutes),
            shift=timedelta(minutes=plan.delay_minutes), now=now)
    here = progress.at_index
    if here is not None:
        arrived = stops[here].arrived_at or position.at
        departure = max(now, arrived + _dwell(stops[here]))
        if here == 0:
            departure = max(departure, stops[0].depart_at)
        return observed[:here] + [Expected(arrived, departure)] + _after(stops, here + 1, departure, now=now)
    heading = progress.next_index
    while 0 < heading < len(stops) - 1 and _beyond(stops, heading, position, radius_m):
        heading += 1  # passed unseen: it keeps no times, and the bus is heading for a later stop
    hours = _road_km(stops, heading, position) / (progress.speed_kmh or planned_kmh(stops, heading))
    first = position.at + timedelta(hours=hours)
    passed = [Expected(None, None)] * (heading - progress.next_index)
    return observed[:progress.next_index] + passed + _ahead(stops, heading, first, shift=timedelta(0), now=now)


def _plane(origin: PlannedStop, latitude: float, longitude: float) -> tuple[float, float]:
    """Metres east and north of `origin` (a flat map around it: good enough to tell which leg is nearer)."""
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180
    return ((longitude - origin.longitude) * metres_per_degree * math.cos(math.radians(origin.latitude)),
            (latitude - origin.latitude) * metres_per_degree)


def _to_segment(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else min(max(((px - ax) * dx + (py - ay) * dy) / length, 0.0), 1.0)
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _beyond(stops: tuple[PlannedStop, ...], index: int, position: Sample, radius_m: float) -> bool:
    """Whether the bus is past stop `index` though it was not seen there: out of its radius and nearer the
    straight leg after it than the one before it."""
    stop = stops[index]
    bus = _plane(stop, position.latitude, position.longitude)
    if math.hypot(*bus) <= LEAVE_FACTOR * radius_m:
        return False
    before = _plane(stop, stops[index - 1].latitude, stops[index - 1].longitude)
    after = _plane(stop, stops[index + 1].latitude, stops[index + 1].longitude)
    return _to_segment(bus, (0.0, 0.0), after) < _to_segment(bus, before, (0.0, 0.0))


def _ahead(stops: tuple[PlannedStop, ...], index: int, arrival: datetime, *, shift: timedelta,
           now: datetime) -> list[Expected]:
    """Stop `index` reached at `arrival` (at the earliest now), then the rest by the timetable."""
    arrival = max(arrival, now)
    if index == len(stops) - 1:
        return [Expected(arrival, None)]
    departure = arrival + _dwell(stops[index])
    if index == 0:
        departure = max(departure, stops[0].depart_at + shift)
    return [Expected(arrival, departure)] + _after(stops, index + 1, departure, now=now)


def _after(stops: tuple[PlannedStop, ...], index: int, departed: datetime, *, now: datetime) -> list[Expected]:
    """Stops from `index` on, by the timetable's run and dwell times after leaving the previous one at
    `departed`."""
    expected = []
    for at in range(index, len(stops)):
        arrival = max(departed + _run(stops, at), now)
        departed = arrival + _dwell(stops[at])
        expected.append(Expected(arrival, None if at == len(stops) - 1 else departed))
    return expected


def lateness_minutes(plan: TripPlan, expected: list[Expected]) -> int:
    """Whole minutes the bus is expected to reach the last stop after the timetable says (negative: early)."""
    arrival = expected[-1].arrival
    if arrival is None:
        return 0
    return (arrival - plan.arrival_at) // timedelta(minutes=1)
