"""The published interface of tracking: keyword-only functions returning frozen dataclasses."""

from __future__ import annotations

from uuid import UUID

from apps.tracking.progress import estimates

# a trip's stop with its timetabled, observed and expected times
StopEstimate = estimates.StopEstimate


def trip_estimates(*, trip_id: UUID) -> tuple[StopEstimate, ...]:
    """Each of the trip's stops, in order, with the times the timetable gives, those its bus was observed at
    and those it is expected at now, from its progress and recent speed (times in each stop's timezone).
    Timetable data, like company's trip reads: no principal. NotFound for no such trip."""
    return estimates.trip_estimates(trip_id=trip_id)
