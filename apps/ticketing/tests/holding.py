"""Short ways to hold seats in ticketing's tests."""

from __future__ import annotations

from apps.ticketing.models import Booking
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold
from tests.worlds.ticketing import SalesWorld
from transport.principal import Principal


def riders(*seats: str, passenger_type: str = "adult") -> list[PassengerIn]:
    return [PassengerIn(name=f"Rider {seat}", phone="+254700000001", passenger_type=passenger_type, seat_label=seat)
            for seat in seats]


def hold(world: SalesWorld, principal: Principal, *seats: str, board: str = "Nairobi",
         alight: str = "Kisumu", passenger_type: str = "adult", promo_code: str | None = None) -> Booking:
    return booking_hold(principal=principal, trip_id=world.trip_id, from_stop_id=world.stops[board],
                        to_stop_id=world.stops[alight], passengers=riders(*seats, passenger_type=passenger_type),
                        promo_code=promo_code)
