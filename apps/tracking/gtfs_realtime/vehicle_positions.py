"""VehiclePositions: each bus of the company whose live position was reported for one of its trips under way
(boarding or departed), with that trip, the stop it is at or heading to by the timetable (delay included), and
how full it is on the leg it is driving (occupancy.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.ticketing import api as ticketing_api
from apps.tracking import live
from apps.tracking.gtfs_realtime.descriptors import posix, trip_descriptor, vehicle_descriptor
from apps.tracking.gtfs_realtime.expected import BOARDING, stops_ahead
from apps.tracking.gtfs_realtime.occupancy import occupancy_percentage, occupancy_status
from apps.tracking.live import LiveBus

METRES_PER_SECOND_PER_KMH = 1 / 3.6


def vehicle_entities(*, company: company_api.CompanySettings, trips: Sequence[company_api.ServiceDayTrip],
                     now: datetime) -> list[rt.FeedEntity]:
    """One entity per reporting bus, in the order of its trip's departure. Redis once, and two queries for the
    seats when a bus reported."""
    under_way = [found for found in trips if found.trip.status in company_api.UNDER_WAY]
    positions = live.buses_live(found.trip.bus_id for found in under_way)
    reporting = []
    for found in under_way:
        position = positions.get(found.trip.bus_id)
        # a position reported before this trip (on the bus's previous one, or on none) says nothing of it
        if position is not None and position.trip_id == found.trip.id and position.company_id == company.company_id:
            reporting.append((found, position))
    seats = ticketing_api.trips_occupancy(trip_ids=[found.trip.id for found, _ in reporting]) if reporting else {}
    return [rt.FeedEntity(id=str(found.trip.bus_id), vehicle=_vehicle(found, position, seats.get(found.trip.id), now))
            for found, position in reporting]


def _vehicle(found: company_api.ServiceDayTrip, position: LiveBus, seats: ticketing_api.TripOccupancy | None,
             now: datetime) -> rt.VehiclePosition:
    trip = found.trip
    if trip.status == BOARDING:
        status, stop, leaving = rt.VehiclePosition.STOPPED_AT, trip.stops[0], trip.stops[0]
    else:  # departed: on the leg towards the first stop ahead
        stop = stops_ahead(trip, now=now)[0]
        status, leaving = rt.VehiclePosition.IN_TRANSIT_TO, trip.stops[trip.stops.index(stop) - 1]
    vehicle = rt.VehiclePosition(
        trip=trip_descriptor(found), vehicle=vehicle_descriptor(trip),
        position=rt.Position(
            latitude=position.latitude, longitude=position.longitude,
            bearing=None if position.heading is None else position.heading % 360,
            speed=None if position.speed_kmh is None else position.speed_kmh * METRES_PER_SECOND_PER_KMH),
        current_stop_sequence=stop.sequence, stop_id=str(stop.stop_id), current_status=status,
        # a device's clock may run a little ahead of ours; the feed never claims a fix from its future
        timestamp=posix(min(position.fixed_at, now)),
    )
    leg = seats.leg_from(leaving.sequence) if seats is not None else None
    if seats is not None and leg is not None and seats.sellable_seats:  # a layout that sells no seat says nothing
        vehicle.occupancy_status = occupancy_status(taken=leg.taken, seats=seats.sellable_seats)
        vehicle.occupancy_percentage = occupancy_percentage(taken=leg.taken, seats=seats.sellable_seats)
    return vehicle
