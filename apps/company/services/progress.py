"""What a trip's bus is observed to do, as tracking reports it: arriving at and departing from its stops (the
durable stop times, and the status moves they imply) and how late it runs (announced by a rule that does not
spam). Tracking acts as a system principal holding company.record_progress; the trip's status and times stay
company's, and every change is published in the same transaction.

Recording is idempotent: a stop's arrival (or departure) is kept once, with the first time reported; another
report of it changes nothing and publishes nothing. A finished (arrived or cancelled) trip ignores reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.db import transaction

from apps.company import checks, signals
from apps.company.models import Trip, TripStop
from apps.company.permissions import RECORD_PROGRESS
from apps.company.services.trips import FINISHED, MAX_DELAY_MINUTES, announce_delay, can_move, move_to, trip_fields
from transport.errors import NotFound, ValidationFailed
from transport.events import publish
from transport.principal import Principal
from transport.tenancy import get_for

ARRIVED = "arrived"
DEPARTED = "departed"
RUNNING_LATE = "Running late: estimated from the bus's position."
BACK_ON_TIME = "Back on time: estimated from the bus's position."


@dataclass(frozen=True)
class StopObservation:
    """The bus arrived at (or departed from) the trip's stop number `sequence` at `at` (an aware time)."""

    sequence: int
    event: str  # ARRIVED | DEPARTED
    at: datetime


def delay_to_announce(*, announced: int, observed: int, threshold: int) -> int | None:
    """The delay to announce now, in minutes, or None to leave the announced one as it is.

    The rule: an observed lateness (clamped to 0..MAX_DELAY_MINUTES; running early is 0) of at least
    `threshold` minutes is announced when it differs from the announced delay by at least `threshold`, so a bus
    losing a minute at a time is announced at 10, 20, 30... minutes with a threshold of 10, not every minute.
    Once it falls under half the threshold, an announced delay is cleared to 0. Between half the threshold and
    the threshold nothing changes: an estimate wavering around the threshold does not announce and clear in turn.
    """
    observed = min(max(observed, 0), MAX_DELAY_MINUTES)
    if observed >= threshold:
        return observed if abs(observed - announced) >= threshold else None
    if announced and observed * 2 < threshold:
        return 0
    return None


def _check_observations(observations: Sequence[StopObservation], stops: dict[int, TripStop]) -> None:
    for index, seen in enumerate(observations):
        if seen.event not in (ARRIVED, DEPARTED):
            raise ValidationFailed(f"Unknown stop event {seen.event!r}.",
                                   fields={f"observations.{index}.event": [f"One of {ARRIVED}, {DEPARTED}."]})
        if seen.sequence not in stops:
            raise NotFound("The trip has no such stop.", fields={f"observations.{index}.sequence": ["Not found."]})
        if seen.at.tzinfo is None:
            raise ValidationFailed("Observation times are aware.",
                                   fields={f"observations.{index}.at": ["A time with its offset."]})


@transaction.atomic
def trip_stops_record(*, principal: Principal, trip_id: UUID, observations: Sequence[StopObservation]) -> Trip:
    """Record what the trip's bus was seen doing at its stops, in the order given.

    An arrival at any stop but the first, or a departure from any stop, means the trip has left: a scheduled or
    boarding trip departs (trip_departed, at that time). An arrival at the last stop arrives it (trip_arrived).
    Each stop time recorded is published (trip_stop_arrived / trip_stop_departed). A departure earlier than the
    stop's recorded arrival is refused, and then nothing of the call is kept.
    """
    trip = get_for(principal, Trip.objects.all(), trip_id, RECORD_PROGRESS, lock=True)
    if trip.status in FINISHED:
        return trip
    stops = {stop.sequence: stop for stop in TripStop.objects.filter(trip=trip)}
    _check_observations(observations, stops)
    first, last = min(stops), max(stops)
    for seen in observations:
        stop = stops[seen.sequence]
        if seen.event == ARRIVED:
            _arrive(trip, stop, seen.at, leaves_origin=seen.sequence != first, ends=seen.sequence == last)
        elif seen.sequence != last:  # a trip ends at its last stop: nothing departs from there
            _depart(trip, stop, seen.at)
    return trip


def _arrive(trip: Trip, stop: TripStop, at: datetime, *, leaves_origin: bool, ends: bool) -> None:
    if stop.arrived_at is not None or stop.departed_at is not None:
        return
    if leaves_origin and can_move(trip, "depart"):
        move_to(trip, "depart", at=at)  # seen further down the road: it has left, whether or not we saw it go
    stop.arrived_at = at
    stop.save(update_fields=["arrived_at"])
    publish(signals.trip_stop_arrived, _at_stop(trip, stop, at))
    if ends and can_move(trip, "arrive"):
        move_to(trip, "arrive", at=at)


def _depart(trip: Trip, stop: TripStop, at: datetime) -> None:
    if stop.departed_at is not None:
        return
    if stop.arrived_at is not None and at < stop.arrived_at:
        raise checks.invalid("at", "A departure is not earlier than the arrival at the same stop.")
    if can_move(trip, "depart"):
        move_to(trip, "depart", at=at)
    stop.departed_at = at
    stop.save(update_fields=["departed_at"])
    publish(signals.trip_stop_departed, _at_stop(trip, stop, at))


def _at_stop(trip: Trip, stop: TripStop, at: datetime) -> signals.TripAtStop:
    return signals.TripAtStop(**trip_fields(trip), sequence=stop.sequence, stop_id=str(stop.stop_id),
                              at=at.astimezone(UTC).isoformat())


@transaction.atomic
def trip_delay_observe(*, principal: Principal, trip_id: UUID, minutes: int) -> Trip:
    """The bus is expected to run `minutes` late (negative: early): announce it, or clear the announcement, by
    the company's delay_alert_minutes and the rule of `delay_to_announce`. A finished trip ignores it."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise checks.invalid("minutes", "A whole number of minutes.")
    trip = get_for(principal, Trip.objects.select_related("company"), trip_id, RECORD_PROGRESS, lock=True)
    if trip.status in FINISHED:
        return trip
    announce = delay_to_announce(announced=trip.delay_minutes, observed=minutes,
                                 threshold=trip.company.delay_alert_minutes)
    if announce is not None:
        announce_delay(trip, minutes=announce, reason=RUNNING_LATE if announce else BACK_ON_TIME)
    return trip
