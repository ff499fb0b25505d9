"""The cast of tracking's tests, on top of the sales world: the trip's rostered driver with a phone, a tracker
app registered on the trip's bus, and ways to read back what ingestion wrote."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from apps.tracking import live
from apps.tracking.models import PositionRecord, TrackerDevice
from apps.tracking.trackers import tracker_register
from tests.worlds.boarding import Device, device, roster
from tests.worlds.ticketing import SalesWorld, build_sales_world

_identifiers = itertools.count(100_001)


@dataclass
class Fleet:
    world: SalesWorld
    driver_phone: Device  # the trip's rostered driver
    tracker: TrackerDevice  # a tracker app on the trip's bus

    @property
    def company_id(self) -> UUID:
        return self.world.company_id

    @property
    def bus_id(self) -> UUID:
        return self.world.bus_id

    @property
    def trip_id(self) -> UUID:
        return self.world.trip_id


def build_fleet() -> Fleet:
    world = build_sales_world()
    roster(world, world.users["driver"])
    tracker = tracker_register(principal=world.admin, company_id=world.company_id, bus_id=world.bus_id,
                               identifier=str(next(_identifiers)), name="Traccar Client")
    return Fleet(world=world, driver_phone=device(world, world.users["driver"]), tracker=tracker)


def history(bus_id: UUID) -> list[tuple[Any, ...]]:
    """The bus's recorded fixes, oldest first: (latitude, longitude, fixed_at, trip_id, source, live)."""
    return list(PositionRecord.objects.filter(bus_id=bus_id).order_by("fixed_at", "id")
                .values_list("latitude", "longitude", "fixed_at", "trip_id", "source", "live"))


def live_point(bus_id: UUID) -> tuple[float, float, datetime] | None:
    found = live.bus_live(bus_id)
    return None if found is None else (found.latitude, found.longitude, found.fixed_at)
