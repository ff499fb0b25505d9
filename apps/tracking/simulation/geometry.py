"""Where the simulated bus can be: one gently curved leg between each two stops (there is no road geometry),
measured in metres along the way.

A leg is a quadratic Bézier curve drawn in a local plane around its first stop (equirectangular: x east, y north,
in metres), so that it starts and ends exactly on the stops' coordinates. The plane distorts distances by the
change of cos(latitude) across the leg (well under 1 % for the legs of a bus route); the speeds the simulation
reports are measured on the sphere afterwards (track.py), so nothing relies on the plane being exact.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from apps.tracking.filters import EARTH_RADIUS_M

# points a leg is tabulated at to measure it: a bus route's gentle bend is a few metres off its chords
_SAMPLES = 128


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def bearing_deg(start: Point, end: Point) -> float:
    """The initial great-circle bearing from `start` to `end`, degrees clockwise from north in [0, 360)."""
    phi1, phi2 = math.radians(start.latitude), math.radians(end.latitude)
    d_lambda = math.radians(end.longitude - start.longitude)
    x = math.sin(d_lambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lambda)
    return math.degrees(math.atan2(x, y)) % 360.0


def offset(point: Point, *, east_m: float, north_m: float) -> Point:
    """The point `east_m` metres east and `north_m` metres north of `point` (small offsets: GPS noise)."""
    latitude = point.latitude + math.degrees(north_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(point.latitude)), 1e-9)
    return Point(latitude, point.longitude + math.degrees(east_m / (EARTH_RADIUS_M * cos_lat)))


class Leg:
    """The way from one stop to the next, bent sideways by `bend` (a fraction of its length: 0 is straight,
    0.05 takes the middle of the leg 5 % of its length to the left of the straight line)."""

    def __init__(self, start: Point, end: Point, *, bend: float = 0.0) -> None:
        self.start, self.end = start, end
        self._cos_lat = max(math.cos(math.radians(start.latitude)), 1e-9)
        end_x, end_y = self._plane(end)
        # a quadratic curve's middle lies halfway between the chord's middle and its control point
        control = (end_x / 2 - end_y * 2 * bend, end_y / 2 + end_x * 2 * bend)
        self._curve = ((0.0, 0.0), control, (end_x, end_y))
        self._params = [i / _SAMPLES for i in range(_SAMPLES + 1)]
        points = [self._curve_at(u) for u in self._params]
        self._lengths = [0.0]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            self._lengths.append(self._lengths[-1] + math.hypot(x2 - x1, y2 - y1))

    @property
    def length_m(self) -> float:
        return self._lengths[-1]

    def _plane(self, point: Point) -> tuple[float, float]:
        x = math.radians(point.longitude - self.start.longitude) * EARTH_RADIUS_M * self._cos_lat
        y = math.radians(point.latitude - self.start.latitude) * EARTH_RADIUS_M
        return x, y

    def _curve_at(self, u: float) -> tuple[float, float]:
        (x0, y0), (x1, y1), (x2, y2) = self._curve
        a, b, c = (1 - u) ** 2, 2 * (1 - u) * u, u**2
        return a * x0 + b * x1 + c * x2, a * y0 + b * y1 + c * y2

    def point_at(self, distance_m: float) -> Point:
        """The point `distance_m` metres along the leg (clamped to its ends)."""
        if distance_m <= 0 or self.length_m == 0:
            return self.start
        if distance_m >= self.length_m:
            return self.end
        i = bisect.bisect_right(self._lengths, distance_m) - 1
        span = self._lengths[i + 1] - self._lengths[i]
        u = self._params[i] + (self._params[i + 1] - self._params[i]) * (distance_m - self._lengths[i]) / span
        x, y = self._curve_at(u)
        return Point(self.start.latitude + math.degrees(y / EARTH_RADIUS_M),
                     self.start.longitude + math.degrees(x / (EARTH_RADIUS_M * self._cos_lat)))
