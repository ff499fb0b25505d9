"""TripUpdates: the trips still to come or under way that are delayed or running, with a StopTimeUpdate per stop
ahead, and the cancelled ones as CANCELED (see the package's docstring for why they are in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.tracking.gtfs_realtime.descriptors import posix, trip_descriptor, vehicle_descriptor
from apps.tracking.gtfs_realtime.expected import (
    CANCELLED,
    ExpectedStop,
    expected_from_delay,
    expected_from_progress,
    trips_not_over,
)
from apps.tracking.progress.estimates import trip_estimates, trip_seen


def stop_time_updates(expected: Sequence[ExpectedStop]) -> list[rt.TripUpdate.StopTimeUpdate]:
    """One update per stop: the expected arrival and departure as POSIX times, each with its delay against the
    timetable in seconds (consumers read the time; the delay is there for the ones that show "+5 min")."""
    return [
        rt.TripUpdate.StopTimeUpdate(
            stop_sequence=stop.sequence, stop_id=str(stop.stop_id),
            arrival=rt.TripUpdate.StopTimeEvent(
                time=posix(stop.arrival), delay=int((stop.arrival - stop.scheduled_arrival).total_seconds())),
            departure=rt.TripUpdate.StopTimeEvent(
                time=posix(stop.departure), delay=int((stop.departure - stop.scheduled_departure).total_seconds())),
            schedule_relationship=rt.TripUpdate.StopTimeUpdate.SCHEDULED,
        )
        for stop in expected
    ]


def trip_update_entities(*, company: company_api.CompanySettings, trips: Sequence[company_api.ServiceDayTrip],
                         now: datetime) -> list[rt.FeedEntity]:
    """One entity per trip not yet over that is cancelled, under way, or delayed, by departure."""
    entities = []
    for found in trips_not_over(trips, now=now):
        trip = found.trip
        if trip.status == CANCELLED:
            update = rt.TripUpdate(trip=trip_descriptor(found), vehicle=vehicle_descriptor(trip), timestamp=posix(now))
        elif trip.status in company_api.UNDER_WAY and trip_seen(trip_id=trip.id):
            expected = expected_from_progress(trip, trip_estimates(trip_id=trip.id), now=now)
            update = rt.TripUpdate(trip=trip_descriptor(found), vehicle=vehicle_descriptor(trip),
                                   stop_time_update=stop_time_updates(expected), timestamp=posix(now))
        elif trip.status in company_api.UNDER_WAY or trip.delay_minutes > 0:
            update = rt.TripUpdate(trip=trip_descriptor(found), vehicle=vehicle_descriptor(trip),
                                   stop_time_update=stop_time_updates(expected_from_delay(trip, now=now)),
                                   timestamp=posix(now))
        else:
            continue
        entities.append(rt.FeedEntity(id=str(trip.id), trip_update=update))
    return entities
