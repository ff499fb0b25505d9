"""A position fix as tracking handles it once a device's report is parsed: what ingestion filters, what the live
store and the history keep. Coordinates in WGS84 degrees, times aware UTC, speed in km/h, heading in degrees
from north, altitude and accuracy in metres; None when the device did not say.

A named tuple, not a frozen dataclass: as immutable, and a batch makes one per point, which a frozen dataclass's
field-by-field __init__ made four times as dear."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID


class Fix(NamedTuple):
    company_id: UUID
    bus_id: UUID
    source: str  # who reported it: "device:<uuid>" (a driver device or tracker app), "user:<uuid>" (a driver)
    latitude: float
    longitude: float
    fixed_at: datetime  # the device's own time of the fix
    received_at: datetime  # when the server took it
    trip_id: UUID | None = None
    speed_kmh: float | None = None
    heading: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    battery_percent: float | None = None
