"""What every GTFS-Realtime feed repeats: a trip named as the static feed names it, a bus, a POSIX time."""

from __future__ import annotations

from datetime import datetime

from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.tracking.gtfs_realtime.expected import CANCELLED


def posix(at: datetime) -> int:
    """Seconds since the epoch (GTFS-Realtime times are POSIX seconds, never milliseconds)."""
    return int(at.timestamp())


def trip_descriptor(found: company_api.ServiceDayTrip) -> rt.TripDescriptor:
    """The trip as the static feed has it (trips.txt, and stop_times.txt for the start time); a cancelled one is
    CANCELED, every other one SCHEDULED."""
    cancelled = found.trip.status == CANCELLED
    return rt.TripDescriptor(
        trip_id=str(found.trip.id), route_id=str(found.trip.route_id), start_date=found.start_date,
        start_time=found.start_time,
        schedule_relationship=rt.TripDescriptor.CANCELED if cancelled else rt.TripDescriptor.SCHEDULED,
    )


def vehicle_descriptor(trip: company_api.TripDetails) -> rt.VehicleDescriptor:
    return rt.VehicleDescriptor(id=str(trip.bus_id), label=trip.bus_plate)
