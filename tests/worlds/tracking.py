"""What tracking's tests need of company beyond its api.py: moving a trip along, as its admin does, a trip on
the road with its stops at their real places, stops put where they really are, and trips on today's clock
(company's services make trips in the future only; tests need them under way)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from django.db.models import F
from django.utils import timezone

from apps.company import timetable
from apps.company.models import Bus, DriverAssignment, Trip, TripStop
from apps.company.services import fleet, network, trips
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold
from tests.worlds.ticketing import SalesWorld, sale_day

_plates = itertools.count(1)

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
    trip_departs_at(world.trip_id, departs_at)


def stops_place(world: SalesWorld, places: dict[str, tuple[str, str]]) -> None:
    """Move the world's stops (by town) to these coordinates (latitude, longitude), as its admin does."""
    for town, (latitude, longitude) in places.items():
        network.stop_update(principal=world.admin, stop_id=world.stops[town], latitude=Decimal(latitude),
                            longitude=Decimal(longitude))


def trip_move(world: SalesWorld, move: str, trip_id: UUID | None = None) -> None:
    """board, depart or arrive, as the company's admin does."""
    trips.trip_move(principal=world.admin, trip_id=trip_id or world.trip_id, move=move)


def earlier_today(tz: str = "Africa/Nairobi") -> datetime:
    """A departure on today's service day in `tz` that a six-hour trip has not finished: an hour ago, or a
    minute after midnight when the day is younger than that."""
    now = timezone.now()
    midnight = datetime.combine(timetable.in_zone(now, tz).date(), time(), tzinfo=timetable.zone(tz))
    return max(midnight + timedelta(minutes=1), now - timedelta(hours=1)).replace(microsecond=0)


def trip_departs_at(trip_id: UUID, departs_at: datetime) -> None:
    """Move a trip so that it departs at `departs_at` (the past too), every stop and rostered driver keeping its
    time from departure; the service date follows, as the local date at the first stop."""
    trip = Trip.objects.select_related("bus").get(pk=trip_id)
    shift = departs_at - trip.departure_at
    first = TripStop.objects.select_related("stop").filter(trip_id=trip_id).order_by("sequence").first()
    assert first is not None
    Trip.objects.filter(pk=trip_id).update(
        departure_at=F("departure_at") + shift, arrival_at=F("arrival_at") + shift,
        service_date=timetable.in_zone(departs_at, first.stop.timezone).date())
    TripStop.objects.filter(trip_id=trip_id).update(arrive_at=F("arrive_at") + shift, depart_at=F("depart_at") + shift)
    DriverAssignment.objects.filter(trip_id=trip_id).update(starts_at=F("starts_at") + shift,
                                                            ends_at=F("ends_at") + shift)


def another_bus(world: SalesWorld) -> UUID:
    """A second coach of the company, on the same seat layout."""
    layout_id = Bus.objects.values_list("layout_id", flat=True).get(pk=world.bus_id)
    return fleet.bus_create(principal=world.admin, company_id=world.company_id, plate=f"KTR {next(_plates):03d}T",
                            layout_id=layout_id).id


def trip_today(world: SalesWorld, departs_at: datetime, *, bus_id: UUID | None = None,
               day: date | None = None) -> UUID:
    """Another trip of the world's route, made for a day ahead (as company's services allow) and moved to depart
    at `departs_at`, on a bus of its own unless one is given."""
    trip_id = trips.trip_create(principal=world.admin, company_id=world.company_id, route_id=world.route_id,
                                bus_id=bus_id or another_bus(world), service_date=day or sale_day(),
                                departure_time=time(8, 0)).id
    trip_departs_at(trip_id, departs_at)
    return trip_id


def seat_held(world: SalesWorld, seat: str, *, board: str, alight: str) -> None:
    """The world's other passenger holds `seat` on the stretch, and has not paid yet."""
    booking_hold(principal=world.principal("other_passenger"), trip_id=world.trip_id,
                 from_stop_id=world.stops[board], to_stop_id=world.stops[alight],
                 passengers=[PassengerIn(name="Held", phone="+254700000002", passenger_type="adult", seat_label=seat)])
