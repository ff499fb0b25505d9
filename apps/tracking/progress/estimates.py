"""A trip's expected times at its stops, as tracking publishes them: the timetable, what was observed, and what
is expected from the bus's progress now (see eta for how)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from apps.tracking.progress import eta
from apps.tracking.progress.plan import PlannedStop, trip_plan
from apps.tracking.progress.state import progress_read


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
    plan = trip_plan(trip_id)
    expected = eta.expected_times(plan, progress_read(trip_id), now=timezone.now(),
                                  radius_m=float(settings.TRACKING_STOP_RADIUS_M))
    return tuple(
        StopEstimate(sequence=stop.sequence, stop_id=stop.stop_id, scheduled_arrival=stop.arrive_at,
                     scheduled_departure=stop.depart_at, arrived_at=stop.arrived_at, departed_at=stop.departed_at,
                     expected_arrival=_local(times.arrival, stop), expected_departure=_local(times.departure, stop))
        for stop, times in zip(plan.stops, expected, strict=True))
