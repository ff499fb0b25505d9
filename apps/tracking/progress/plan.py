"""What progress needs of a trip, as company publishes it: its stops with their places, distances and times, its
status and announced delay, and its company's delay threshold. Each process keeps a trip's plan for a short
while, so a report that changes nothing asks the database nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from apps.company import api as company_api

PLAN_TTL_SECONDS = 30.0  # a trip's status, delay or stops changed elsewhere are seen within this
_PLANS_KEPT = 4096  # a bound on the cache: past it, it starts afresh
FINISHED = frozenset({"arrived", "cancelled"})


@dataclass(frozen=True)
class PlannedStop:
    sequence: int
    stop_id: UUID
    latitude: float
    longitude: float
    timezone: str
    distance_km: float  # from the first stop, along the route
    arrive_at: datetime  # the timetable's
    depart_at: datetime
    arrived_at: datetime | None  # as company recorded them
    departed_at: datetime | None


@dataclass(frozen=True)
class TripPlan:
    trip_id: UUID
    company_id: UUID
    bus_id: UUID
    status: str
    delay_minutes: int  # as announced
    delay_alert_minutes: int
    stops: tuple[PlannedStop, ...]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def departure_at(self) -> datetime:
        return self.stops[0].depart_at

    @property
    def arrival_at(self) -> datetime:
        return self.stops[-1].arrive_at


def trip_plan(trip_id: UUID) -> TripPlan:
    """The trip's plan as company has it now (two queries); NotFound for no such trip."""
    trip = company_api.get_trip(trip_id=trip_id)
    threshold = company_api.company_settings(company_id=trip.company_id).delay_alert_minutes
    stops = tuple(PlannedStop(sequence=stop.sequence, stop_id=stop.stop_id, latitude=float(stop.latitude),
                              longitude=float(stop.longitude), timezone=stop.timezone,
                              distance_km=float(stop.distance_km), arrive_at=stop.arrive_at,
                              depart_at=stop.depart_at, arrived_at=stop.arrived_at, departed_at=stop.departed_at)
                  for stop in trip.stops)
    return TripPlan(trip_id=trip.id, company_id=trip.company_id, bus_id=trip.bus_id, status=trip.status,
                    delay_minutes=trip.delay_minutes, delay_alert_minutes=threshold, stops=stops)


_plans: dict[UUID, tuple[float, TripPlan]] = {}


def cached_plan(trip_id: UUID) -> TripPlan:
    """The trip's plan, as this process read it at most PLAN_TTL_SECONDS ago."""
    kept = _plans.get(trip_id)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    return _keep(trip_plan(trip_id))


def plan_update(plan: TripPlan, *, status: str, delay_minutes: int) -> TripPlan:
    """What company answered after a change: the process's plan says so at once."""
    return _keep(replace(plan, status=status, delay_minutes=delay_minutes))


def _keep(plan: TripPlan) -> TripPlan:
    if len(_plans) >= _PLANS_KEPT:
        _plans.clear()
    _plans[plan.trip_id] = (time.monotonic() + PLAN_TTL_SECONDS, plan)
    return plan
