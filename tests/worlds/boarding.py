"""The cast of boarding's tests, on top of the sales world: drivers rostered on trips, the devices they and
the agent scan with, and a way to make a confirmed ticket.

Rosters and devices are made through company's and identity's services, as a company admin would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from rest_framework.test import APIClient

from apps.auth.models import User
from apps.auth.services import devices
from apps.auth.tests.factories import make_user
from apps.company.services import rosters, trips
from apps.ticketing import api as ticketing_api
from apps.ticketing.models import Ticket
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold
from tests.worlds.ticketing import SalesWorld
from transport.principal import Principal

CASHIER = Principal.system("boarding-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


@dataclass
class Device:
    id: UUID
    credential: str
    client: APIClient

    def new_client(self) -> APIClient:
        """Another client sending this device's credential (one per thread in concurrency tests)."""
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Device {self.credential}")
        return client


def device(world: SalesWorld, user: User, *, role: str = "driver") -> Device:
    """A registered device of `user` (who holds `role` in the world's company), and a client sending it."""
    registered = devices.device_register(principal=world.admin, company_id=world.company_id, user_id=user.pk,
                                         role=role, name=f"{role} phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {registered.credential}")
    return Device(id=registered.device.pk, credential=registered.credential, client=client)


def new_driver(world: SalesWorld) -> User:
    return make_user(full_name="Relief driver", roles={world.company_id: ["driver"]})


def roster(world: SalesWorld, driver: User, trip_id: UUID | None = None) -> None:
    rosters.assignment_create(principal=world.admin, trip_id=trip_id or world.trip_id, driver_id=driver.pk)


def delay(world: SalesWorld, minutes: int, trip_id: UUID | None = None) -> None:
    trips.trip_delay(principal=world.admin, trip_id=trip_id or world.trip_id, minutes=minutes, reason="Road works")


def ticket(world: SalesWorld, seat: str, *, trip_id: UUID | None = None, board: str = "Nairobi",
           alight: str = "Kisumu", name: str = "") -> Ticket:
    """A confirmed ticket held by the world's passenger."""
    booking = booking_hold(principal=world.principal("passenger"), trip_id=trip_id or world.trip_id,
                           from_stop_id=world.stops[board], to_stop_id=world.stops[alight],
                           passengers=[PassengerIn(name=name or f"Rider {seat}", phone="+254700000001",
                                                   passenger_type="adult", seat_label=seat)])
    ticketing_api.booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="CASH")
    return Ticket.objects.select_related("booking", "passenger").get(booking_id=booking.id)


def ticket_bought_a_day_ago(world: SalesWorld, seat: str, **where) -> Ticket:
    """A confirmed ticket issued a day ago: offline scans may not claim a time before a ticket's issue, and the
    offline tests scan up to a few hours in the past."""
    issued = ticket(world, seat, **where)
    Ticket.objects.filter(pk=issued.pk).update(issued_at=issued.issued_at - timedelta(days=1))
    issued.refresh_from_db(fields=["issued_at"])
    return issued


# the sales world's trip leaves two days ahead (refund and fare windows need it) while the offline tests scan
# now or a few hours ago: a boarding window this wide lets them, and the window's own tests set theirs
WIDE_BOARDING_WINDOW_HOURS = 96


@dataclass
class BoardingCast:
    """The world's trip with its driver's device, and everyone who must not board its passengers."""

    world: SalesWorld
    driver: Device  # the rostered driver's phone
    other_trip_id: UUID
    other_trip_driver: Device  # a driver of the same company, rostered on another trip
    agent: Device  # the agent's POS terminal

    @property
    def trip_id(self) -> UUID:
        return self.world.trip_id


def build_boarding_cast(world: SalesWorld) -> BoardingCast:
    roster(world, world.users["driver"])
    relief = new_driver(world)
    other_trip_id = world.another_trip()
    roster(world, relief, other_trip_id)
    return BoardingCast(world=world, driver=device(world, world.users["driver"]), other_trip_id=other_trip_id,
                        other_trip_driver=device(world, relief),
                        agent=device(world, world.users["agent"], role="agent"))
