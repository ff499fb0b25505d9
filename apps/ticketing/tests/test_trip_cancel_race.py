"""A trip being cancelled while a booking of it is confirmed: the cancellation's sweep holds the trip's sales
lock, so the confirmation waits for it and then finds the trip cancelled; it never confirms on a trip whose
cancellation has already looked for bookings."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from apps.ticketing.inventory import services as inventory
from apps.ticketing.models import Booking, Ticket
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import build_sales_world
from transport.errors import Conflict
from transport.principal import Principal

CASHIER = Principal.system("ticketing-race-cashier", {"ticketing.confirm_booking"})
# how long the sweep keeps its transaction open once the confirmation is on its way: if the confirmation did
# not wait for the lock, it would read the trip as still scheduled in that time and confirm
SWEEP_HOLDS_SECONDS = 0.5


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_during_the_cancellation_sweep_waits_and_is_refused():
    world = build_sales_world()
    booking = hold(world, world.principal("passenger"), "5C")
    sweeping, confirming = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def sweep() -> None:
        try:
            with transaction.atomic():
                inventory.trip_sales_lock(world.trip_id, exclusive=True)
                world.cancel_trip()  # the trip's status changes inside the sweep's transaction
                sweeping.set()
                confirming.wait()
                time.sleep(SWEEP_HOLDS_SECONDS)
        finally:
            connection.close()

    def confirm() -> None:
        try:
            sweeping.wait()
            confirming.set()
            booking_confirm(booking_id=booking.id, principal=CASHIER)
            outcome["result"] = "confirmed"
        except Conflict as refused:
            outcome["result"] = refused.code
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep), threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome["result"] == "trip_cancelled"
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert not Ticket.objects.exists()
