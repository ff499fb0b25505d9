"""What tracking's tests need of company beyond its api.py: moving a trip along, as its admin does, and putting
its stops where they really are."""

from __future__ import annotations

from decimal import Decimal

from apps.company.services import network, trips
from tests.worlds.ticketing import SalesWorld


def trip_board(world: SalesWorld) -> None:
    """The world's trip starts boarding: it is its bus's current trip from now."""
    trips.trip_move(principal=world.admin, trip_id=world.trip_id, move="board")


def stops_place(world: SalesWorld, places: dict[str, tuple[str, str]]) -> None:
    """Move the world's stops (by town) to these coordinates (latitude, longitude), as its admin does."""
    for town, (latitude, longitude) in places.items():
        network.stop_update(principal=world.admin, stop_id=world.stops[town], latitude=Decimal(latitude),
                            longitude=Decimal(longitude))
