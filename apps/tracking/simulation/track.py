"""A simulated trip's track: the bus's true position every second along its stops (standing at the origin,
driving each leg as motion.py does, dwelling at each intermediate stop, arriving at the last), and the GPS fixes
a tracker on board reports from it: sampled every few seconds, off by a few metres of noise, with the heading
of the bus's movement. Pure functions: the same stops and seed give the same track and the same fixes."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from apps.tracking.filters import distance_m
from apps.tracking.simulation import motion
from apps.tracking.simulation.geometry import Leg, Point, bearing_deg, offset

MAX_BEND = 0.06  # a leg's middle strays at most this fraction of its length from the straight line
_MOVING_M = 0.5  # a second's move shorter than this (standing) keeps the last heading


@dataclass(frozen=True)
class TrackStop:
    latitude: float
    longitude: float
    dwell_s: int = 0  # how long the bus stands there before it leaves (nothing at the last stop)


@dataclass(frozen=True, slots=True)
class Moment:
    t_s: float  # seconds since the track began
    latitude: float
    longitude: float
    speed_ms: float
    heading: float | None  # degrees from north of the last move; None before the bus ever moved
    stop_index: int | None  # the stop it stands at, None between stops


@dataclass(frozen=True)
class Track:
    moments: tuple[Moment, ...]  # one per second, the first at t 0, the last on arrival at the last stop
    max_speed_ms: float  # the fastest one-second move, measured on the sphere

    @property
    def duration_s(self) -> float:
        return self.moments[-1].t_s

    def at(self, t_s: float) -> Moment:
        """Where the bus is at `t_s` (between two seconds: on the way from one to the next; after the end:
        standing at the last stop)."""
        if t_s <= 0 or t_s >= self.duration_s:
            return dataclasses.replace(self.moments[0 if t_s <= 0 else -1], t_s=t_s)
        whole = int(t_s)
        before, after = self.moments[whole], self.moments[whole + 1]
        part = t_s - whole
        return Moment(
            t_s=t_s, latitude=before.latitude + (after.latitude - before.latitude) * part,
            longitude=before.longitude + (after.longitude - before.longitude) * part,
            speed_ms=before.speed_ms + (after.speed_ms - before.speed_ms) * part,
            heading=after.heading if after.heading is not None else before.heading,
            stop_index=before.stop_index if before.stop_index == after.stop_index else None,
        )

    def nearest_t(self, point: Point) -> float:
        """The time the bus is nearest `point` (the earliest of equals): where a replay picks the trip up again."""
        best = min(self.moments, key=lambda m: (distance_m(m.latitude, m.longitude, point.latitude,
                                                           point.longitude), m.t_s))
        return best.t_s


@dataclass(frozen=True)
class SimFix:
    """What the tracker reports at `t_s`: its noisy position, the bus's speed and heading."""

    t_s: float
    latitude: float
    longitude: float
    speed_ms: float
    heading: float | None


def track_build(stops: Sequence[TrackStop], *, seed: int) -> Track:
    """The track along `stops` (at least two), bent and paced by a generator seeded with `seed`."""
    if len(stops) < 2:
        raise ValueError("A track needs at least two stops.")
    rng = random.Random(seed)  # noqa: S311 (a simulation seeded to repeat itself: nothing secret)
    points = [Point(stop.latitude, stop.longitude) for stop in stops]
    places: list[tuple[Point, float, int | None]] = []  # position, speed, stop index: one per second
    for index, (stop, start, end) in enumerate(zip(stops, points, points[1:], strict=False)):
        places.extend((start, 0.0, index) for _ in range(max(0, stop.dwell_s)))
        leg = Leg(start, end, bend=rng.uniform(-MAX_BEND, MAX_BEND))
        places.append((start, 0.0, index))  # the second it pulls away from
        for step in motion.drive(leg.length_m, cruise_ms=motion.cruise_speed_ms(rng), rng=rng)[:-1]:
            places.append((leg.point_at(step.distance_m), step.speed_ms, None))
    places.append((points[-1], 0.0, len(stops) - 1))
    return _track(places)


def _track(places: list[tuple[Point, float, int | None]]) -> Track:
    moments: list[Moment] = []
    heading: float | None = None
    fastest = 0.0
    previous: Point | None = None
    for t, (point, speed, stop_index) in enumerate(places):
        if previous is not None:
            moved = distance_m(previous.latitude, previous.longitude, point.latitude, point.longitude)
            fastest = max(fastest, moved)
            if moved >= _MOVING_M:
                heading = bearing_deg(previous, point)
        moments.append(Moment(t_s=float(t), latitude=point.latitude, longitude=point.longitude, speed_ms=speed,
                              heading=heading, stop_index=stop_index))
        previous = point
    return Track(moments=tuple(moments), max_speed_ms=fastest)


def fixes_sample(track: Track, *, start_s: float, every_s: float, count: int, noise_m: float,
                 seed: int) -> list[SimFix]:
    """`count` fixes at `start_s`, `start_s + every_s`, ... (after the arrival: standing at the last stop), each
    moved by GPS noise: normal, a third of `noise_m` per axis, never more than `noise_m` in all."""
    rng = random.Random(seed)  # noqa: S311 (as above)
    fixes = []
    for index in range(count):
        moment = track.at(start_s + index * every_s)
        east, north = rng.gauss(0.0, noise_m / 3), rng.gauss(0.0, noise_m / 3)
        scale = min(1.0, noise_m / math.hypot(east, north)) if (east or north) else 1.0
        noisy = offset(Point(moment.latitude, moment.longitude), east_m=east * scale, north_m=north * scale)
        fixes.append(SimFix(t_s=moment.t_s, latitude=noisy.latitude, longitude=noisy.longitude,
                            speed_ms=moment.speed_ms, heading=moment.heading))
    return fixes
