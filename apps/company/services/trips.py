"""Trips: building one from a route and a local departure, ad hoc creation, status, delays, cancellation,
bus swaps. Every change other apps care about is published in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import TypedDict
from uuid import UUID

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone as django_timezone
from psycopg.errors import DeadlockDetected

from apps.company import checks, signals, timetable
from apps.company.models import Bus, DriverAssignment, Route, RouteStop, Trip, TripStop
from apps.company.permissions import MANAGE_TRIPS, VIEW_OWN_TRIPS
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.events import publish
from transport.locks import resource_lock
from transport.principal import Principal
from transport.tenancy import get_for

MAX_DELAY_MINUTES = 24 * 60
# the next status each move leads to, and the statuses it may start from
MOVES = {
    "board": (Trip.Status.BOARDING, {Trip.Status.SCHEDULED}),
    "depart": (Trip.Status.DEPARTED, {Trip.Status.SCHEDULED, Trip.Status.BOARDING}),
    "arrive": (Trip.Status.ARRIVED, {Trip.Status.DEPARTED}),
}
_MOVE_SIGNALS = {"board": signals.trip_boarding, "depart": signals.trip_departed, "arrive": signals.trip_arrived}
FINISHED = {Trip.Status.ARRIVED, Trip.Status.CANCELLED}


def build_trip(*, route: Route, route_stops: list[RouteStop], bus: Bus, service_date: date, departure_time: time,
               schedule_id: UUID | None = None, trip_id: UUID | None = None) -> tuple[Trip, list[TripStop]]:
    """An unsaved trip and its stops: the departure is wall time at the first stop, in that stop's zone."""
    origin = route_stops[0].stop
    departure_at = timetable.local_departure(service_date=service_date, departure_time=departure_time,
                                             timezone=origin.timezone)
    times = timetable.stop_times(departure_at=departure_at, route_stops=[
        (rs.sequence, rs.stop_id, rs.minutes_from_origin, rs.distance_km) for rs in route_stops])
    layout_version_id = bus.layout.current_version_id
    assert layout_version_id is not None  # a layout is created with its first version, in one transaction
    trip = Trip(id=trip_id or uuid.uuid4(), company_id=route.company_id, route=route, schedule_id=schedule_id,
                bus=bus, layout_version_id=layout_version_id, service_date=service_date,
                departure_at=times[0].depart_at, arrival_at=times[-1].arrive_at)
    stops = [TripStop(trip_id=trip.id, sequence=t.sequence, stop_id=t.stop_id, arrive_at=t.arrive_at,
                      depart_at=t.depart_at, distance_km=t.distance_km) for t in times]
    return trip, stops


class TripFields(TypedDict):
    """The fields every trip event carries (signals.TripEvent)."""

    trip_id: str
    company_id: str
    route_id: str
    departure_at: str


def trip_fields(trip: Trip) -> TripFields:
    return {"trip_id": str(trip.id), "company_id": str(trip.company_id), "route_id": str(trip.route_id),
            "departure_at": trip.departure_at.isoformat()}


def _bus_busy() -> Conflict:
    return Conflict("The bus is on another trip at that time.", code="bus_busy", fields={"bus_id": ["Busy."]})


DEADLOCK_RETRIES = 3
DEADLOCK_DETECTED = DeadlockDetected.sqlstate


def _save_on_free_bus(save: Callable[[], None]) -> None:
    """Save a trip's claim on its bus in a savepoint; Conflict bus_busy when the bus's exclusion constraint
    refuses it. Two transactions claiming one bus at once can each wait on the other's unchecked row: PostgreSQL
    then aborts one (deadlock detected). The victim rolls back to the savepoint and claims again, now waiting for
    the winner's commit: it gets the bus if the winner gave up, else bus_busy, never a server error."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                save()
            return
        except IntegrityError as exc:
            raise _bus_busy() from exc
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED or attempt == DEADLOCK_RETRIES:
                raise


def trip_create(*, principal: Principal, company_id: UUID, route_id: UUID, bus_id: UUID, service_date: date,
                departure_time: time) -> Trip:
    """An ad hoc departure (outside any schedule), at local time at the route's first stop."""
    principal.require(MANAGE_TRIPS, company_id=company_id)
    route = Route.objects.filter(company_id=company_id, pk=route_id).first()
    bus = Bus.objects.select_related("layout").filter(company_id=company_id, pk=bus_id).first()
    if route is None or bus is None:
        raise NotFound("No such route or bus in this company.")
    route_stops = list(route.route_stops.select_related("stop").order_by("sequence"))
    if not route.is_active or len(route_stops) < 2:
        raise checks.invalid("route_id", "The route is not active or has no stops.")
    if bus.status != Bus.Status.ACTIVE:
        raise checks.invalid("bus_id", f"The bus is {bus.status}.")
    trip, stops = build_trip(route=route, route_stops=route_stops, bus=bus, service_date=service_date,
                             departure_time=departure_time)
    if trip.departure_at <= django_timezone.now():
        raise checks.invalid("departure_time", "A new trip departs in the future.")
    # the lock spans the commit, so a contender waits for our row instead of racing into the constraint
    with resource_lock("bus", bus.id), transaction.atomic():
        _save_on_free_bus(lambda: trip.save(force_insert=True))
        TripStop.objects.bulk_create(stops)
    return trip


def _trip_for_change(principal: Principal, trip_id: UUID) -> Trip:
    return get_for(principal, Trip.objects.all(), trip_id, MANAGE_TRIPS, lock=True)


def cancel(trip: Trip, *, reason: str) -> None:
    """Cancel a locked trip: free its drivers and bus, tell the other apps."""
    trip.status = Trip.Status.CANCELLED
    trip.cancel_reason = reason
    trip.save(update_fields=["status", "cancel_reason", "updated_at"])
    DriverAssignment.objects.filter(trip=trip, is_active=True).update(is_active=False)
    publish(signals.trip_cancelled, signals.TripCancelled(**trip_fields(trip), reason=reason))


@transaction.atomic
def trip_cancel(*, principal: Principal, trip_id: UUID, reason: str) -> Trip:
    trip = _trip_for_change(principal, trip_id)
    if trip.status in FINISHED or trip.status == Trip.Status.DEPARTED:
        raise Conflict(f"A {trip.status} trip cannot be cancelled.", code="trip_not_cancellable")
    cancel(trip, reason=reason)
    return trip


@transaction.atomic
def trip_delay(*, principal: Principal, trip_id: UUID, minutes: int, reason: str) -> Trip:
    """Announce the trip's expected delay (0 clears it); scheduled times stay as sold."""
    trip = _trip_for_change(principal, trip_id)
    if trip.status in FINISHED:
        raise Conflict(f"A {trip.status} trip cannot be delayed.", code="trip_finished")
    if not 0 <= minutes <= MAX_DELAY_MINUTES:
        raise checks.invalid("minutes", f"A delay from 0 to {MAX_DELAY_MINUTES} minutes.")
    announce_delay(trip, minutes=minutes, reason=reason)
    return trip


def announce_delay(trip: Trip, *, minutes: int, reason: str) -> None:
    """Set a locked, unfinished trip's expected delay and tell the other apps."""
    trip.delay_minutes, trip.delay_reason = minutes, reason
    trip.save(update_fields=["delay_minutes", "delay_reason", "updated_at"])
    publish(signals.trip_delayed, signals.TripDelayed(**trip_fields(trip), delay_minutes=minutes, reason=reason))


@transaction.atomic
def trip_move(*, principal: Principal, trip_id: UUID, move: str) -> Trip:
    """board / depart / arrive: by a trip manager, or by a driver assigned to this trip."""
    if move not in MOVES:
        raise ValidationFailed(f"Unknown move {move!r}.", fields={"move": ["One of board, depart, arrive."]})
    trip = get_for(principal, Trip.objects.all(), trip_id, None, lock=True)
    if not principal.has(MANAGE_TRIPS, company_id=trip.company_id):
        principal.require(VIEW_OWN_TRIPS, company_id=trip.company_id)
        if principal.user_id is None or not DriverAssignment.objects.filter(
                trip=trip, driver_id=principal.user_id, is_active=True).exists():
            raise NotFound("No such trip.")
    if not can_move(trip, move):
        raise Conflict(f"A {trip.status} trip cannot {move}.", code="invalid_trip_status")
    move_to(trip, move, at=django_timezone.now())
    return trip


def can_move(trip: Trip, move: str) -> bool:
    return trip.status in MOVES[move][1]


def move_to(trip: Trip, move: str, *, at: datetime) -> None:
    """Make the move on a locked trip that can make it (can_move), and tell the other apps it happened at `at`."""
    trip.status = MOVES[move][0]
    trip.save(update_fields=["status", "updated_at"])
    publish(_MOVE_SIGNALS[move], signals.TripMoved(**trip_fields(trip), at=at.astimezone(UTC).isoformat()))


def trip_change_bus(*, principal: Principal, trip_id: UUID, bus_id: UUID) -> Trip:
    """Swap the bus; the trip takes the new bus's current layout (ticketing re-seats from the event)."""
    with resource_lock("bus", bus_id), transaction.atomic():
        trip = _trip_for_change(principal, trip_id)
        if trip.status in FINISHED or trip.status == Trip.Status.DEPARTED:
            raise Conflict(f"A {trip.status} trip keeps its bus.", code="trip_finished")
        bus = Bus.objects.select_related("layout").filter(company_id=trip.company_id, pk=bus_id).first()
        if bus is None:
            raise NotFound("No such bus in this company.", fields={"bus_id": ["Not found."]})
        if bus.status != Bus.Status.ACTIVE:
            raise checks.invalid("bus_id", f"The bus is {bus.status}.")
        if bus.id == trip.bus_id:
            return trip
        old_bus_id, old_layout = trip.bus_id, trip.layout_version_id
        assert bus.layout.current_version_id is not None  # a layout is created with its first version
        trip.bus, trip.layout_version_id = bus, bus.layout.current_version_id
        _save_on_free_bus(lambda: trip.save(update_fields=["bus", "layout_version", "updated_at"]))
        publish(signals.trip_bus_changed, signals.TripBusChanged(
            **trip_fields(trip), old_bus_id=str(old_bus_id), new_bus_id=str(bus.id),
            old_layout_version_id=str(old_layout), new_layout_version_id=str(trip.layout_version_id)))
        return trip
