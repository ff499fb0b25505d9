"""One simulated drive of a trip: its track along the trip's stops, where to pick it up, its pace (pace.py),
and the reports its tracker sends, each with the time it is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from apps.company import api as company_api
from apps.tracking.filters import Thresholds, distance_m
from apps.tracking.simulation.geometry import Point
from apps.tracking.simulation.pace import Pace, pace_plan, realtime_speedup, speed_cap_ms
from apps.tracking.simulation.track import Track, TrackStop, fixes_sample, track_build

# the timetable gives no dwell yet (a stop's arrive_at is its depart_at): the bus stands this long at the
# origin and at every intermediate stop, or longer where the timetable says so
DEFAULT_DWELL_S = 60
NOISE_M = 5.0  # the tracker's fixes are off by up to this much...
ACCURACY_M = 5.0  # ...and it says so


@dataclass(frozen=True)
class Report:
    """A fix as the tracker sends it: stamped, with the speed its stamps imply."""

    index: int
    send_after_s: float  # real seconds after the drive's first report
    fixed_at: datetime
    latitude: float
    longitude: float
    speed_kmh: float
    heading: float | None


@dataclass(frozen=True)
class DrivePlan:
    trip_id: UUID
    route_name: str
    pace: Pace
    reports: tuple[Report, ...]
    start_s: float  # where on the track it starts (after the origin when it picks up a drive under way)
    duration_s: float  # the whole track's simulated length
    realtime_speedup: float  # the most this track allows with every fix stamped when sent


def trip_stops(trip: company_api.TripDetails, *, dwell_s: int) -> list[TrackStop]:
    """The trip's stops as the track needs them: where, and how long the bus stands there before leaving."""
    stops = []
    for index, stop in enumerate(trip.stops):
        scheduled = int((stop.depart_at - stop.arrive_at).total_seconds())
        dwell = 0 if index == len(trip.stops) - 1 else max(scheduled, dwell_s)
        stops.append(TrackStop(latitude=float(stop.latitude), longitude=float(stop.longitude), dwell_s=dwell))
    return stops


def trip_track(trip: company_api.TripDetails, *, dwell_s: int = DEFAULT_DWELL_S) -> Track:
    """The trip's track, seeded by its id: driving the same trip again follows the same way."""
    return track_build(trip_stops(trip, dwell_s=dwell_s), seed=trip.id.int)


def drive_plan(*, trip: company_api.TripDetails, track: Track, interval_s: int, speedup: float | None,
               limits: Thresholds, now: datetime, resume_from: Point | None = None) -> DrivePlan:
    """The reports of a drive along `track` from `now`: from the origin, or from the point of the track nearest
    `resume_from` (where the bus was last seen on this trip). PaceError if the limits forbid it."""
    start = track.nearest_t(resume_from) if resume_from is not None else 0.0
    pace = pace_plan(max_speed_ms=track.max_speed_ms, remaining_s=track.duration_s - start, interval_s=interval_s,
                     speedup=speedup, noise_m=NOISE_M, limits=limits, now=now)
    fixes = fixes_sample(track, start_s=start, every_s=pace.simulated_interval_s, count=pace.count,
                         noise_m=NOISE_M, seed=trip.id.int + 1)
    reports = tuple(
        Report(index=index, send_after_s=pace.send_after_s(index), fixed_at=pace.stamp(index),
               latitude=fix.latitude, longitude=fix.longitude,
               speed_kmh=pace.reported_speed_ms(fix.speed_ms) * 3.6, heading=fix.heading)
        for index, fix in enumerate(fixes))
    return DrivePlan(trip_id=trip.id, route_name=trip.route_name, pace=pace, reports=reports, start_s=start,
                     duration_s=track.duration_s,
                     realtime_speedup=realtime_speedup(max_speed_ms=track.max_speed_ms, interval_s=interval_s,
                                                       noise_m=NOISE_M, limits=limits))


def jump_wait_s(plan: DrivePlan, *, last_seen: Point, last_seen_at: datetime, limits: Thresholds) -> float:
    """How much later the drive must start for its first fix not to be a jump from where the bus was last seen
    (refused for its implied speed, or late if stamped before it): 0 when it may start now."""
    first = plan.reports[0]
    metres = distance_m(last_seen.latitude, last_seen.longitude, first.latitude, first.longitude)
    cap = speed_cap_ms(interval_s=plan.pace.interval_s, noise_m=NOISE_M, limits=limits)
    # a second more than the move needs (two fixes in one second are duplicates), and never less than the
    # filter's period (a fix near the last one and sooner is refused as saying nothing new)
    needed = max(metres / cap + 1.0, limits.min_period.total_seconds())
    return max(0.0, needed - (first.fixed_at - last_seen_at).total_seconds())
