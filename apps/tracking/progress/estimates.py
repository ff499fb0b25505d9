"""A trip's expected times at its stops, as tracking publishes them: the timetable, what was observed, and what
is expected from the bus's progress now (see eta for how)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from apps.tracking import fanout
from apps.tracking.progress import eta
from apps.tracking.progress.plan import PlannedStop, TripPlan, trip_plan
from apps.tracking.progress.state import Progress, progress_read


@dataclass(frozen=True)
class StopEstimate:
    """One stop of a trip; times are aware, in the stop's own timezone. `expected_*` is None for a stop passed
    unseen, for the last stop's departure and on a cancelled trip; for a stop reached it is what was observed."""

    sequence: int
    stop_id: UUID
    scheduled_arrival: datetime
    scheduled_departure: datetime
    arrived_at: datetime | None
    departed_at: datetime | None
    expected_arrival: datetime | None
    expected_departure: datetime | None


def _local(instant: datetime | None, stop: PlannedStop) -> datetime | None:
    return None if instant is None else instant.astimezone(stop.arrive_at.tzinfo)


def trip_estimates(*, trip_id: UUID) -> tuple[StopEstimate, ...]:
    """The trip's stops with their timetabled, observed and expected times (two queries and one Redis read);
    NotFound for no such trip."""
    return estimates_of(trip_plan(trip_id), progress_read(trip_id), now=timezone.now())


def trip_seen(*, trip_id: UUID) -> bool:
    """Whether progress has evaluated a position of the trip's bus: until then its estimates are the timetable's
    run times from now, which for a trip under way says more about not knowing than about the bus."""
    return progress_read(trip_id).position is not None


def estimates_of(plan: TripPlan, progress: Progress, *, now: datetime) -> tuple[StopEstimate, ...]:
    expected = eta.expected_times(plan, progress, now=now, radius_m=float(settings.TRACKING_STOP_RADIUS_M))
    return tuple(
        StopEstimate(sequence=stop.sequence, stop_id=stop.stop_id, scheduled_arrival=stop.arrive_at,
                     scheduled_departure=stop.depart_at, arrived_at=stop.arrived_at, departed_at=stop.departed_at,
                     expected_arrival=_local(times.arrival, stop), expected_departure=_local(times.departure, stop))
        for stop, times in zip(plan.stops, expected, strict=True))


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def estimates_out(estimates: tuple[StopEstimate, ...]) -> list[dict[str, Any]]:
    """The estimates as websocket watchers get them (times in each stop's own zone, ISO 8601)."""
    return [{"sequence": e.sequence, "stop_id": str(e.stop_id), "scheduled_arrival": _iso(e.scheduled_arrival),
             "scheduled_departure": _iso(e.scheduled_departure), "arrived_at": _iso(e.arrived_at),
             "departed_at": _iso(e.departed_at), "expected_arrival": _iso(e.expected_arrival),
             "expected_departure": _iso(e.expected_departure)} for e in estimates]


def estimates_announce(plan: TripPlan, progress: Progress, *, as_of: datetime) -> bool:
    """Tell the trip's watchers its new expected times, as of the fix they were computed from."""
    message = {"type": "trip.eta", "trip_id": str(plan.trip_id), "as_of": fanout.iso(as_of),
               "stops": estimates_out(estimates_of(plan, progress, now=as_of))}
    return fanout.group_messages_send([(fanout.trip_group(plan.trip_id), message)])
