"""The published events of company: each signal with its typed payload (see transport.events.payloads for
how a payload may change). Ids are strings, times ISO 8601 in UTC."""

from __future__ import annotations

from dataclasses import dataclass

from transport.events import EventPayload, EventSignal


@dataclass(frozen=True, kw_only=True)
class TripEvent(EventPayload):
    """What every trip event carries."""

    trip_id: str
    company_id: str
    route_id: str
    departure_at: str


@dataclass(frozen=True, kw_only=True)
class TripCancelled(TripEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class TripDelayed(TripEvent):
    delay_minutes: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class TripBusChanged(TripEvent):
    old_bus_id: str
    new_bus_id: str
    old_layout_version_id: str
    new_layout_version_id: str


@dataclass(frozen=True, kw_only=True)
class TripMoved(TripEvent):
    """Boarding began, the bus departed or arrived, at `at`."""

    at: str


@dataclass(frozen=True, kw_only=True)
class TripAtStop(TripEvent):
    """The trip's bus was seen arriving at or departing from its stop number `sequence`, at `at`."""

    sequence: int
    stop_id: str
    at: str


trip_cancelled = EventSignal(TripCancelled)
trip_delayed = EventSignal(TripDelayed)
trip_bus_changed = EventSignal(TripBusChanged)
trip_boarding = EventSignal(TripMoved)
trip_departed = EventSignal(TripMoved)
trip_arrived = EventSignal(TripMoved)
trip_stop_arrived = EventSignal(TripAtStop)
trip_stop_departed = EventSignal(TripAtStop)
