"""What tracking's tests need of company beyond its api.py: moving a trip along, as its admin does."""

from __future__ import annotations

from apps.company.services import trips
from tests.worlds.ticketing import SalesWorld


def trip_board(world: SalesWorld) -> None:
    """The world's trip starts boarding: it is its bus's current trip from now."""
    trips.trip_move(principal=world.admin, trip_id=world.trip_id, move="board")
