"""When a trip is expected at its stops, beside its timetable: what TripUpdates tell and where VehiclePositions
place a bus. A trip under way whose bus tracking has seen has its estimates (apps/tracking/progress: the bus's
progress and speed, the timetable after its current leg); every other trip, and any stop without an estimate,
has the delay the company announced (Trip.delay_minutes) applied to its timetable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from apps.company import api as company_api
from apps.tracking.progress.estimates import StopEstimate

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


def expected_from_progress(trip: company_api.TripDetails, estimates: Sequence[StopEstimate], *,
                           now: datetime) -> list[ExpectedStop]:
    """The stops the bus has yet to leave with tracking's expected times (what it observed at a stop it is at);
    a stop passed unseen is left out, and a stop with no estimate takes the announced delay."""
    delay = _delay(trip)
    by_sequence = {estimate.sequence: estimate for estimate in estimates}
    expected = []
    for stop in stops_ahead(trip, now=now):
        estimate = by_sequence.get(stop.sequence)
        if estimate is not None and estimate.departed_at is not None and stop is not trip.stops[-1]:
            continue  # left already
        if estimate is not None and estimate.arrived_at is None and estimate.expected_arrival is None and \
                estimate.sequence < max(by_sequence):
            continue  # passed unseen
        arrival = (estimate and (estimate.arrived_at or estimate.expected_arrival)) or stop.arrive_at + delay
        departure = (estimate and estimate.expected_departure) or max(arrival, stop.depart_at + delay)
        expected.append(ExpectedStop(sequence=stop.sequence, stop_id=stop.stop_id, scheduled_arrival=stop.arrive_at,
                                     scheduled_departure=stop.depart_at, arrival=arrival,
                                     departure=max(arrival, departure)))
    return expected


def trips_not_over(trips: Sequence[company_api.ServiceDayTrip], *, now: datetime) -> list[company_api.ServiceDayTrip]:
    """The trips a feed still speaks of, in their order."""
    return [found for found in trips if not is_over(found.trip, now=now)]
