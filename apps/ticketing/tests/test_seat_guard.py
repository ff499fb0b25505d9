"""Every writer of seat rows goes through the one seat guard: while another transaction holds a seat's database
lock, each of them waits no longer than TICKETING_SEAT_LOCK_TIMEOUT_MS and answers seat_busy, writing nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection

from apps.company import api as company_api
from apps.ticketing.inventory.services import seat_lock_keys
from apps.ticketing.models import Booking, PosSale, SeatAllotment, SeatHold, Ticket
from apps.ticketing.pos.services import allotments
from apps.ticketing.pos.services import sales as pos
from apps.ticketing.sales.services import confirmation, reseating
from apps.ticketing.sales.services.bookings import PassengerIn
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import register
from transport.errors import Conflict
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})
BOUND_MS = 200


@contextmanager
def seat_locked_elsewhere(trip_id: uuid.UUID, seat: str) -> Iterator[None]:
    """Another session's transaction holds the seat's database lock, as a writer in the middle of its work does."""
    with psycopg.connect(**connection.get_connection_params()) as other:
        [(taken,)] = other.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                                   seat_lock_keys(trip_id, [seat])).fetchall()
        assert taken, "the seat's lock is held already (by the test's own transaction?)"
        yield
        other.rollback()


def _rows() -> tuple[int, int, int, int, int]:
    return (Booking.objects.count(), SeatHold.objects.count(), SeatAllotment.objects.count(),
            PosSale.objects.count(), Ticket.objects.count())


@pytest.fixture
def bounded(settings):
    settings.TICKETING_SEAT_LOCK_TIMEOUT_MS = BOUND_MS


def test_a_hold_waiting_past_the_bound_answers_409_seat_busy_with_retry_after(world, bounded):
    # given seat 4C's lock held by another transaction
    body = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops["Nairobi"]),
            "to_stop_id": str(world.stops["Kisumu"]),
            "passengers": [{"name": "Amina", "phone": "+254700000002", "seat": "4C"}]}
    before = _rows()

    # when a passenger holds it
    with seat_locked_elsewhere(world.trip_id, "4C"):
        response = world.client("passenger").post("/api/v1/bookings", body, format="json",
                                                  HTTP_IDEMPOTENCY_KEY="busy-4c")

    # then the wait ends in a clean problem, nothing is written, and the same key may be retried
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "seat_busy"
    assert _rows() == before
    retried = world.client("passenger").post("/api/v1/bookings", body, format="json", HTTP_IDEMPOTENCY_KEY="busy-4c")
    assert retried.status_code == 201


def test_an_allotment_waiting_past_the_bound_is_seat_busy(world, bounded):
    device = register(world)
    before = _rows()

    with seat_locked_elsewhere(world.trip_id, "5B"), pytest.raises(Conflict) as refused:
        allotments.allotment_create(principal=world.principal("dispatcher"), trip_id=world.trip_id,
                                    device_id=device.id, seat_labels=["5A", "5B"])

    assert (refused.value.code, refused.value.retry_after) == ("seat_busy", 1)
    assert _rows() == before


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_waiting_past_the_bound_is_seat_busy_and_the_hold_stays(world, bounded):
    # (its own transaction per step: a hold keeps its seats' locks to the end of the transaction that made it)
    booking = hold(world, world.principal("passenger"), "6A")
    before = _rows()

    with seat_locked_elsewhere(world.trip_id, "6A"), pytest.raises(Conflict) as refused:
        confirmation.booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert (refused.value.code, refused.value.retry_after) == ("seat_busy", 1)
    assert _rows() == before
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert list(SeatHold.objects.values_list("state", flat=True)) == ["held"]


def test_a_pos_sale_waiting_past_the_bound_is_seat_busy_and_its_id_stays_free(world, bounded):
    device = register(world)
    sale = pos.SaleIn(id=uuid.uuid4(), trip_id=world.trip_id, from_stop_id=world.stops["Nairobi"],
                      to_stop_id=world.stops["Kisumu"], cash_minor=140_000,
                      passengers=(PassengerIn(name="Rider", phone="+254700000004", passenger_type="adult",
                                              seat_label="7B"),))
    before = _rows()

    with seat_locked_elsewhere(world.trip_id, "7B"), pytest.raises(Conflict) as refused:
        pos.pos_sale_sell(principal=device.principal(), sale=sale)

    assert (refused.value.code, refused.value.retry_after) == ("seat_busy", 1)
    assert _rows() == before


def test_reseating_waiting_past_the_bound_is_seat_busy_and_moves_nothing(world, bounded):
    booking = hold(world, world.principal("passenger"), "2D")
    before = _rows()

    with seat_locked_elsewhere(world.trip_id, "9A"), pytest.raises(Conflict) as refused:
        reseating.trip_reseat(trip=company_api.get_trip(trip_id=world.trip_id))

    assert (refused.value.code, refused.value.retry_after) == ("seat_busy", 1)
    assert _rows() == before
    assert list(SeatHold.objects.filter(booking=booking).values_list("seat_label", "state")) == [("2D", "held")]
