"""When a trip is expected at its stops, beside its timetable: what TripUpdates tell and where VehiclePositions
place a bus. Today the only source is the delay the company announced (Trip.delay_minutes), applied to every
stop still ahead; observed stop times and estimates can produce the same `ExpectedStop`s later, and the feeds
built from them do not change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from apps.company import api as company_api

# company's trip statuses
BOARDING = "boarding"
DEPARTED = "departed"  # the bus has left its first stop
ARRIVED = "arrived"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ExpectedStop:
    sequence: int
    stop_id: UUID
    scheduled_arrival: datetime
    scheduled_departure: datetime
    arrival: datetime  # expected
    departure: datetime


def _delay(trip: company_api.TripDetails) -> timedelta:
    return timedelta(minutes=trip.delay_minutes)


def stops_ahead(trip: company_api.TripDetails, *, now: datetime) -> tuple[company_api.TripStopTime, ...]:
    """The stops the bus has yet to leave. Before it departs, all of them; once departed, not the first, nor a
    stop whose departure (delay included) is past, but always the last until the trip arrives."""
    if trip.status != DEPARTED:
        return trip.stops
    delay = _delay(trip)
    return (*(stop for stop in trip.stops[1:-1] if stop.depart_at + delay > now), trip.stops[-1])


def expected_from_delay(trip: company_api.TripDetails, *, now: datetime) -> list[ExpectedStop]:
    """The stops ahead with the announced delay added to their timetable."""
    delay = _delay(trip)
    return [ExpectedStop(sequence=stop.sequence, stop_id=stop.stop_id, scheduled_arrival=stop.arrive_at,
                         scheduled_departure=stop.depart_at, arrival=stop.arrive_at + delay,
                         departure=stop.depart_at + delay)
            for stop in stops_ahead(trip, now=now)]


def expected_end(trip: company_api.TripDetails) -> datetime:
    """When the trip is expected at its last stop (for a cancelled one: when it would have been)."""
    return trip.stops[-1].arrive_at + _delay(trip)


def is_over(trip: company_api.TripDetails, *, now: datetime) -> bool:
    """Whether a trip is behind us: it arrived, or it is not under way and its expected end is past (a cancelled
    trip stops mattering when it would have arrived)."""
    if trip.status == ARRIVED:
        return True
    return trip.status not in company_api.UNDER_WAY and expected_end(trip) < now
