"""A trip being cancelled while a booking of it is confirmed: the cancellation's sweep holds the trip's sales
lock, so the confirmation waits for it and then finds the trip cancelled; it never confirms on a trip whose
cancellation has already looked for bookings. The sweep holds its transaction until the confirmation is seen
waiting in PostgreSQL, so the outcome never depends on how long a thread happens to sleep."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from apps.ticketing.inventory import services as inventory
from apps.ticketing.models import Booking, Ticket
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import build_sales_world
from transport.errors import Conflict
from transport.principal import Principal
from transport.testing.threads import WAIT_BOUND_SECONDS, run_threads
from transport.testing.worker import wait_for

CASHIER = Principal.system("ticketing-race-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


def waits_on_a_lock(backend_pid: int) -> bool:
    """True while that database session waits for a lock another transaction holds (pg_locks is read live,
    not from the transaction's statistics snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [backend_pid])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_during_the_cancellation_sweep_waits_and_is_refused():
    world = build_sales_world()
    booking = hold(world, world.principal("passenger"), "5C")
    sweeping, confirming, finished = threading.Event(), threading.Event(), threading.Event()
    confirmer: dict[str, int] = {}
    outcome: dict[str, object] = {}

    def sweep() -> None:
        try:
            with transaction.atomic():
                inventory.trip_sales_lock(world.trip_id, exclusive=True)
                world.cancel_trip()  # the trip's status changes inside the sweep's transaction
                sweeping.set()
                assert confirming.wait(WAIT_BOUND_SECONDS)
                # the sweep commits only once the confirmation is seen blocked behind it; a confirmation that
                # did not wait would read the trip as still scheduled, confirm and finish first
                wait_for(lambda: finished.is_set() or waits_on_a_lock(confirmer["backend"]),
                         within=WAIT_BOUND_SECONDS, what="the confirmation to wait for the sweep or to finish")
                outcome["waited_for_the_sweep"] = not finished.is_set()
        finally:
            connection.close()

    def confirm() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                confirmer["backend"] = cursor.fetchone()[0]
            assert sweeping.wait(WAIT_BOUND_SECONDS)
            confirming.set()
            booking_confirm(booking_id=booking.id, principal=CASHIER)
            outcome["result"] = "confirmed"
        except Conflict as refused:
            outcome["result"] = refused.code
        finally:
            finished.set()
            connection.close()

    run_threads([threading.Thread(target=sweep), threading.Thread(target=confirm)])

    assert outcome["waited_for_the_sweep"] is True
    assert outcome["result"] == "trip_cancelled"
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert not Ticket.objects.exists()
