"""Payments that succeed while the broker is away, and a worker killed in the middle of the confirmation:
every paid booking is confirmed once, with the real worker, broker and MoMo emulator."""

from __future__ import annotations

import time as clock
from datetime import time, timedelta

import pytest
from django.db import connection, connections

from apps.payment import api as payment_api
from apps.payment.models import LedgerEntry, Refund
from apps.payment.services import payments
from apps.payment.tests.flows import KES_RATE_TO_EUR, account_on
from apps.ticketing.models import Booking, Ticket
from apps.ticketing.sales.services.bookings import booking_hold
from apps.ticketing.tests.holding import riders
from tests.worlds.ticketing import SalesWorld, build_sales_world, sale_day
from transport.events import relay
from transport.events.models import InboxRecord, OutboxMessage
from transport.events.tests.conftest import unreachable_broker_url
from transport.testing.worker import kill_process_group, wait_for, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PAID = "payment.payment_succeeded"
PHONE = "46733123999"  # the MoMo emulator pays it


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def momo(world, mtn_momo_emulator, settings):
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1000
    return account_on(mtn_momo_emulator, settings, provider="mtn_momo", company_id=world.company_id,
                      rates={"KES": KES_RATE_TO_EUR})


def _held(world: SalesWorld, count: int) -> list[Booking]:
    """`count` one-seat bookings of the passenger, on the world's trip and more trips of the route."""
    principal = world.principal("passenger")
    trips = [world.trip_id]
    seats = [f"{row}{col}" for row in range(1, 11) for col in "ABCD" if f"{row}{col}" != "10D"]
    bookings: list[Booking] = []
    while len(bookings) < count:
        trip_id = trips[-1]
        for seat in seats[: count - len(bookings)]:
            bookings.append(booking_hold(principal=principal, trip_id=trip_id, from_stop_id=world.stops["Nairobi"],
                                         to_stop_id=world.stops["Kisumu"], passengers=riders(seat)))
        trips.append(world.another_trip(day=sale_day() + timedelta(days=len(trips)), at=time(8, 0)))
    return bookings


def _paid(world: SalesWorld, bookings: list[Booking], mtn_momo_emulator) -> None:
    """Start each booking's payment and let the poll find it paid: payment_succeeded lands in the outbox."""
    principal = world.principal("passenger")
    started = [payment_api.payment_start(principal=principal, company_id=world.company_id,
                                         subject=f"booking:{b.id}", provider="mtn_momo", payer_phone=PHONE)
               for b in bookings]
    mtn_momo_emulator.wait_until(lambda: all(t["status"] == "SUCCESSFUL" for t in mtn_momo_emulator.transactions()),
                                 timeout=30)
    for payment in started:
        assert payments.poll_one(payment.id) == "applied"


def test_payments_completed_while_the_broker_is_down_confirm_every_booking_once_it_is_back(
        world, momo, mtn_momo_emulator, broker, own_event_queue, settings):
    bookings = _held(world, 100)
    real_broker = settings.CELERY_BROKER_URL
    broker(unreachable_broker_url())

    _paid(world, bookings, mtn_momo_emulator)

    assert OutboxMessage.objects.filter(event=PAID, published_at__isnull=True).count() == 100
    assert Booking.objects.filter(state="confirmed").count() == 0
    broker(real_broker)
    relay.breaker.reset()  # the broker is back: what beat's sweep does once its breaker closes again

    def swept_and_confirmed() -> bool:
        relay.sweep(older_than_seconds=0)
        return Booking.objects.filter(state="confirmed").count() == 100

    with worker_process(extra_env={"CELERY_QUEUE": own_event_queue}):
        wait_for(swept_and_confirmed, within=240, what="every paid booking confirmed")
        clock.sleep(1)  # anything applied twice would show now

    ids = [b.id for b in bookings]
    assert Ticket.objects.filter(booking_id__in=ids).count() == 100
    events = list(OutboxMessage.objects.filter(event=PAID).values_list("id", flat=True))
    assert InboxRecord.objects.filter(event_id__in=events).count() == 100
    assert LedgerEntry.objects.filter(provider="mtn_momo").count() == 100
    assert Refund.objects.count() == 0


def test_a_worker_killed_in_the_middle_of_the_confirmation_confirms_once_after_redelivery(
        world, momo, mtn_momo_emulator, own_event_queue, settings, tmp_path):
    [booking] = _held(world, 1)
    env = {"CELERY_QUEUE": own_event_queue, "TICKETING_SEAT_LOCK_TIMEOUT_MS": "600000"}
    # another session holds the booking's row: the handler, once inside its transaction, waits on it
    blocker = connections.create_connection("default")
    blocker.connect()
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM ticketing_booking WHERE id = %s FOR UPDATE", [booking.id])
    try:
        with worker_process(extra_env=env, log_path=tmp_path / "worker.log") as first:
            _paid(world, [booking], mtn_momo_emulator)
            wait_for(lambda: _waiting_on_a_lock() > 0, within=120, what="the handler to wait on the booking")
            kill_process_group(first)
    finally:
        blocker.rollback()
        blocker.close()

    assert Booking.objects.get(pk=booking.id).state == "held"
    [event] = OutboxMessage.objects.filter(event=PAID)
    assert not InboxRecord.objects.filter(event_id=event.id).exists()

    with worker_process(extra_env=env, log_path=tmp_path / "worker.log"):
        wait_for(lambda: Booking.objects.get(pk=booking.id).state == "confirmed", within=300,
                 what="the redelivered payment to confirm the booking")
        clock.sleep(1)

    assert Ticket.objects.filter(booking_id=booking.id).count() == 1
    assert InboxRecord.objects.filter(event_id=event.id).count() == 1
    assert LedgerEntry.objects.filter(payment__subject=f"booking:{booking.id}").count() == 1


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        row = cursor.fetchone()
    return int(row[0]) if row else 0

