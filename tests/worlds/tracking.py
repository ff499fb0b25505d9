"""What tracking's tests need of company beyond its api.py: moving a trip along, as its admin does, a trip on the
road with its stops at their real places, and stops put where they really are."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import F

from apps.company.models import DriverAssignment, Trip, TripStop
from apps.company.services import network, trips
from tests.worlds.ticketing import SalesWorld

# the sales world's stops where the towns are: Nairobi - Nakuru 160 km by road (150 minutes), Nakuru - Kisumu
# 190 km (210 minutes)
PLACES = {"Nairobi": (-1.283, 36.823), "Nakuru": (-0.283, 36.067), "Kisumu": (-0.0917, 34.768)}


def trip_board(world: SalesWorld) -> None:
    """The world's trip starts boarding: it is its bus's current trip from now."""
    trips.trip_move(principal=world.admin, trip_id=world.trip_id, move="board")


def trip_depart(world: SalesWorld) -> None:
    """The world's trip departs, as its driver or a dispatcher says."""
    trips.trip_move(principal=world.admin, trip_id=world.trip_id, move="depart")


def trip_on_the_road(world: SalesWorld, *, departs_at: datetime) -> None:
    """The world's stops at their towns' places, and its trip (with its stops and roster) moved to depart at
    `departs_at` with the same run times, as if it had been made for then: a trip may be made only for the
    future, and a bus's reports may be up to a week old."""
    for town, (latitude, longitude) in PLACES.items():
        network.stop_update(principal=world.admin, stop_id=world.stops[town], latitude=Decimal(str(latitude)),
                            longitude=Decimal(str(longitude)))
    shift = departs_at - Trip.objects.get(pk=world.trip_id).departure_at
    Trip.objects.filter(pk=world.trip_id).update(departure_at=F("departure_at") + shift,
                                                 arrival_at=F("arrival_at") + shift)
    TripStop.objects.filter(trip_id=world.trip_id).update(arrive_at=F("arrive_at") + shift,
                                                          depart_at=F("depart_at") + shift)
    DriverAssignment.objects.filter(trip_id=world.trip_id).update(starts_at=F("starts_at") + shift,
                                                                  ends_at=F("ends_at") + shift)


def stops_place(world: SalesWorld, places: dict[str, tuple[str, str]]) -> None:
    """Move the world's stops (by town) to these coordinates (latitude, longitude), as its admin does."""
    for town, (latitude, longitude) in places.items():
        network.stop_update(principal=world.admin, stop_id=world.stops[town], latitude=Decimal(latitude),
                            longitude=Decimal(longitude))
