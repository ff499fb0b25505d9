"""Filters that keep bad GPS fixes off the map, as Traccar's FilterHandler has them: pure functions of a fix,
the last accepted fix of its bus (the anchor) and the server's clock. Thresholds come from settings
(TRACKING_FILTER_*).

A fix is `accepted`, `late` (well-formed but older than the anchor: it goes to history and never moves the
live position back) or `refused` with a reason code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol

from django.conf import settings

from apps.tracking.fixes import Fix

EARTH_RADIUS_M = 6_371_008.8  # the mean radius: what Traccar's DistanceCalculator uses, within a metre


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    LATE = "late"
    REFUSED = "refused"


class Reason(StrEnum):
    INVALID_COORDINATES = "invalid_coordinates"  # out of range or not a number
    ZERO_FIX = "zero_fix"  # exactly (0, 0): a receiver without a fix
    DUPLICATE = "duplicate"  # the same time as the last accepted fix
    SPEED_TOO_HIGH = "speed_too_high"  # the jump from the last accepted fix implies this
    TOO_CLOSE = "too_close"  # within the minimum distance AND period of the last accepted fix
    POOR_ACCURACY = "poor_accuracy"
    IN_FUTURE = "in_future"
    TOO_OLD = "too_old"


class Anchor(Protocol):
    """The last accepted fix of a bus, as the filters compare with it (a Fix, or the live position)."""

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...

    @property
    def fixed_at(self) -> datetime: ...


@dataclass(frozen=True)
class Thresholds:
    max_speed_kmh: float
    min_distance_m: float
    min_period: timedelta
    max_accuracy_m: float
    future: timedelta
    too_old: timedelta


class Verdict(NamedTuple):
    outcome: Outcome
    reason: Reason | None = None


ACCEPTED = Verdict(Outcome.ACCEPTED)
LATE = Verdict(Outcome.LATE)
# one verdict per refusal, made once: a batch asks for a verdict per point
REFUSED = {reason: Verdict(Outcome.REFUSED, reason) for reason in Reason}


def thresholds() -> Thresholds:
    return Thresholds(
        max_speed_kmh=settings.TRACKING_FILTER_MAX_SPEED_KMH,
        min_distance_m=settings.TRACKING_FILTER_MIN_DISTANCE_M,
        min_period=timedelta(seconds=settings.TRACKING_FILTER_MIN_PERIOD_SECONDS),
        max_accuracy_m=settings.TRACKING_FILTER_MAX_ACCURACY_M,
        future=timedelta(seconds=settings.TRACKING_FILTER_FUTURE_SECONDS),
        too_old=timedelta(seconds=settings.TRACKING_FILTER_TOO_OLD_SECONDS),
    )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# Between nearby fixes, the filters measure on the plane tangent at their mean latitude (equirectangular): the
# consecutive fixes they compare are metres to a few km apart, where this differs from the haversine by less than
# 1e-6 of the distance (the neglected terms grow with the square of the span in radians and with the latitude's
# tangent: within a tenth of a degree and 80 degrees of latitude, at most 4e-7). Anything farther apart, across
# the antimeridian or nearer the poles is measured by the haversine: a long jump is still measured right. The
# filters' tests hold the two together over random pairs.
_NEARBY_DEGREES = 0.1
_NEARBY_MAX_LATITUDE = 80.0
_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
_HALF_RADIANS_PER_DEGREE = math.pi / 360


def step_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance in metres between two fixes, as the filters measure it: on the tangent plane when they are
    within a tenth of a degree of each other (within 1e-6 of the haversine), else the haversine."""
    d_lat, d_lon = lat2 - lat1, lon2 - lon1
    if -_NEARBY_DEGREES < d_lat < _NEARBY_DEGREES and -_NEARBY_DEGREES < d_lon < _NEARBY_DEGREES \
            and -_NEARBY_MAX_LATITUDE < lat1 < _NEARBY_MAX_LATITUDE:
        east = d_lon * math.cos((lat1 + lat2) * _HALF_RADIANS_PER_DEGREE)
        return _METRES_PER_DEGREE * math.sqrt(east * east + d_lat * d_lat)
    return distance_m(lat1, lon1, lat2, lon2)


def _speed_kmh(metres: float, elapsed: timedelta) -> float:
    seconds = elapsed.total_seconds()
    if seconds <= 0:
        return math.inf if metres > 0 else 0.0
    return metres / seconds * 3.6


def implied_speed_kmh(fix: Fix, anchor: Anchor) -> float:
    """The speed a move from the anchor to the fix takes; infinite for a move in no time."""
    metres = step_distance_m(anchor.latitude, anchor.longitude, fix.latitude, fix.longitude)
    return _speed_kmh(metres, fix.fixed_at - anchor.fixed_at)


def fix_verdict(fix: Fix, *, anchor: Anchor | None, now: datetime, limits: Thresholds) -> Verdict:
    """What to do with a fix: the first filter that refuses it names the reason. The filters of the fix alone
    come first; then, against the anchor, an equal time is a duplicate, an earlier one late."""
    lat, lon, fixed_at, accuracy = fix.latitude, fix.longitude, fix.fixed_at, fix.accuracy_m
    # each filter inline (a batch asks this of every point): out of range or not a number (NaN compares false
    # with everything, an infinity is out of range) ...
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return REFUSED[Reason.INVALID_COORDINATES]
    if lat == 0 and lon == 0:  # ... a receiver without a fix ...
        return REFUSED[Reason.ZERO_FIX]
    if fixed_at > now + limits.future:
        return REFUSED[Reason.IN_FUTURE]
    if fixed_at < now - limits.too_old:
        return REFUSED[Reason.TOO_OLD]
    # ... and an accuracy that is not a number says nothing good about the fix either
    if accuracy is not None and not accuracy <= limits.max_accuracy_m:
        return REFUSED[Reason.POOR_ACCURACY]
    if anchor is None:
        return ACCEPTED
    anchored_at = anchor.fixed_at
    if fixed_at == anchored_at:
        return REFUSED[Reason.DUPLICATE]
    if fixed_at < anchored_at:
        return LATE
    # the distance and the time from the anchor, worked out once for both filters that compare them; the time
    # is positive here, so the speed compares without a division: metres / seconds * 3.6 > max
    metres, elapsed = step_distance_m(anchor.latitude, anchor.longitude, lat, lon), fixed_at - anchored_at
    if metres * 3.6 > limits.max_speed_kmh * elapsed.total_seconds():
        return REFUSED[Reason.SPEED_TOO_HIGH]
    if metres < limits.min_distance_m and elapsed < limits.min_period:  # too close in both space and time
        return REFUSED[Reason.TOO_CLOSE]
    return ACCEPTED
