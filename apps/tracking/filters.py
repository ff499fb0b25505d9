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


def _speed_kmh(metres: float, elapsed: timedelta) -> float:
    seconds = elapsed.total_seconds()
    if seconds <= 0:
        return math.inf if metres > 0 else 0.0
    return metres / seconds * 3.6


def implied_speed_kmh(fix: Fix, anchor: Anchor) -> float:
    """The speed a move from the anchor to the fix takes; infinite for a move in no time."""
    metres = distance_m(anchor.latitude, anchor.longitude, fix.latitude, fix.longitude)
    return _speed_kmh(metres, fix.fixed_at - anchor.fixed_at)


def fix_verdict(fix: Fix, *, anchor: Anchor | None, now: datetime, limits: Thresholds) -> Verdict:
    """What to do with a fix: the first filter that refuses it names the reason. The filters of the fix alone
    come first; then, against the anchor, an equal time is a duplicate, an earlier one late."""
    lat, lon, fixed_at, accuracy = fix.latitude, fix.longitude, fix.fixed_at, fix.accuracy_m
    # each filter inline (a batch asks this of every point): out of range or not a number ...
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
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
    if fixed_at == anchor.fixed_at:
        return REFUSED[Reason.DUPLICATE]
    if fixed_at < anchor.fixed_at:
        return LATE
    # the distance and the time from the anchor, worked out once for both filters that compare them
    metres, elapsed = distance_m(anchor.latitude, anchor.longitude, lat, lon), fixed_at - anchor.fixed_at
    if _speed_kmh(metres, elapsed) > limits.max_speed_kmh:
        return REFUSED[Reason.SPEED_TOO_HIGH]
    if metres < limits.min_distance_m and elapsed < limits.min_period:  # too close in both space and time
        return REFUSED[Reason.TOO_CLOSE]
    return ACCEPTED
