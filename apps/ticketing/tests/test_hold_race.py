"""200 people try to hold the same seat on the same stretch at once: exactly one gets it, with the Redis lock
and with the database alone (the constraint, not the lock, is the guard). The control case removes the
exclusion constraint too and sees the seat sold more than once: these races can see a double sale."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from apps.ticketing.models import Booking, SeatHold
from apps.ticketing.sales.services.bookings import booking_hold
from apps.ticketing.tests.holding import riders
from apps.ticketing.tests.racing import race
from tests.worlds.ticketing import SalesWorld, bearer_client, build_sales_world, make_passengers
from transport.errors import Conflict
from transport.principal import Principal, PrincipalKind

ATTEMPTS = 200
LOCKING = pytest.mark.parametrize("locks_enabled", [True, False], ids=["with-lock", "database-alone"])
OVERLAP_CONSTRAINT = "seat_hold_no_overlap"


def _stranger() -> Principal:
    user_id = uuid.uuid4()
    return Principal(kind=PrincipalKind.USER, id=user_id, user_id=user_id)


@pytest.mark.django_db(transaction=True)
@LOCKING
def test_concurrent_holds_of_one_seat_leave_exactly_one(settings, locks_enabled):
    # given a trip on sale, and 200 different passengers
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    world = build_sales_world()
    strangers = [_stranger() for _ in range(ATTEMPTS)]

    # when they all hold seat 7C from Nairobi to Kisumu at the same moment
    outcomes = Counter(race(ATTEMPTS, lambda number: _hold_7c(world, strangers[number])))

    # then exactly one holds it, every other one is told the seat is taken, and one row exists
    assert outcomes == Counter({"held": 1, "seat_taken": ATTEMPTS - 1})
    assert Booking.objects.count() == 1
    assert SeatHold.objects.filter(seat_label="7C", state="held").count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_constraint_and_the_lock_the_same_race_sells_the_seat_more_than_once(settings):
    # given a trip on sale, 200 different passengers, no Redis lock, and (in this test's database only) no
    # exclusion constraint on the seat rows
    settings.TRANSPORT_LOCKS_ENABLED = False
    world = build_sales_world()
    strangers = [_stranger() for _ in range(ATTEMPTS)]

    # when they all hold seat 7C from Nairobi to Kisumu at the same moment
    with overlap_constraint_removed():
        outcomes = Counter(race(ATTEMPTS, lambda number: _hold_7c(world, strangers[number])))
        rows = SeatHold.objects.filter(seat_label="7C", state="held").count()

    # then the seat is sold more than once, each sale with its row: the race the tests above run is real
    assert outcomes["held"] > 1
    assert set(outcomes) <= {"held", "seat_taken"}
    assert rows == outcomes["held"]
    assert Booking.objects.count() == outcomes["held"]


@pytest.mark.django_db(transaction=True)
@LOCKING
def test_concurrent_http_holds_of_one_seat_leave_exactly_one(settings, locks_enabled):
    # given a trip on sale, and 200 signed-in passengers
    settings.TRANSPORT_LOCKS_ENABLED = locks_enabled
    world = build_sales_world()
    clients = [bearer_client(user) for user in make_passengers(ATTEMPTS)]
    body = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops["Nairobi"]),
            "to_stop_id": str(world.stops["Nakuru"]),
            "passengers": [{"name": "Amina", "phone": "+254700000002", "seat": "8A"}]}

    # when they all post a booking for seat 8A on the same stretch at once
    def attempt(number: int) -> tuple[int, str]:
        response = clients[number].post("/api/v1/bookings", body, format="json", HTTP_IDEMPOTENCY_KEY=f"race-{number}")
        return response.status_code, response.json().get("code", "")

    outcomes = Counter(race(ATTEMPTS, attempt))

    # then one is created, the others get a clean 409 seat_taken, and no request failed
    assert outcomes == Counter({(201, ""): 1, (409, "seat_taken"): ATTEMPTS - 1})
    assert Booking.objects.count() == 1


def _hold_7c(world: SalesWorld, principal: Principal) -> str:
    try:
        booking_hold(principal=principal, trip_id=world.trip_id, from_stop_id=world.stops["Nairobi"],
                     to_stop_id=world.stops["Kisumu"], passengers=riders("7C"))
    except Conflict as exc:
        return exc.code
    return "held"


@contextmanager
def overlap_constraint_removed() -> Iterator[None]:
    """The seat rows' exclusion constraint dropped from this test's database, and put back when the block ends.

    It can only come back over rows that respect it, so the rows go first (the transactional test's database is
    emptied after the test anyway)."""
    constraint = next(c for c in SeatHold._meta.constraints if c.name == OVERLAP_CONSTRAINT)
    with connection.schema_editor() as editor:
        editor.remove_constraint(SeatHold, constraint)
    try:
        yield
    finally:
        SeatHold.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(SeatHold, constraint)
