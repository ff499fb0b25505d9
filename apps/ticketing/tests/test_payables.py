"""A priced hold is payable in payment (subject "booking:<id>") until it lapses: registered with the hold, extended
with it, withdrawn when it is cancelled, lapses or its trip is cancelled. POS sales and free bookings owe nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.ticketing.models import Booking, PromoCode, SeatHold
from apps.ticketing.sales.services.bookings import booking_extend
from apps.ticketing.sales.services.cancellation import booking_cancel
from apps.ticketing.tasks import expire_holds
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import online_sale, register, sale, sell, sync
from tests.worlds.booking_payments import payable_of
from transport.errors import NotFound
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")


def _lapse(*bookings: Booking) -> None:
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(expires_at=past)
    SeatHold.objects.filter(booking__in=bookings).update(expires_at=past)


def test_a_hold_is_payable_for_its_total_until_it_lapses_under_the_reference_it_keeps(world):
    booking = hold(world, world.principal("passenger"), "1A", "1B")

    payable = payable_of(booking.id)

    assert payable is not None
    assert REFERENCE.fullmatch(booking.pay_reference)
    assert (payable.reference, payable.company_id, payable.amount_minor, payable.currency, payable.state) == (
        booking.pay_reference, world.company_id, 280_000, "KES", "open")
    assert payable.expires_at == booking.expires_at
    assert Booking.objects.get(pk=booking.id).pay_reference == booking.pay_reference


def test_the_booking_answer_shows_the_payment_reference(world):
    booking = hold(world, world.principal("passenger"), "1A")

    body = world.client("passenger").get(f"/api/v1/bookings/{booking.id}").json()

    assert body["payment_reference"] == booking.pay_reference


def test_a_free_booking_is_not_payable(world):
    now = timezone.now()
    PromoCode.objects.create(company_id=world.company_id, code="FREE", kind="percent", value=100,
                             valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))

    booking = hold(world, world.principal("passenger"), "1A", promo_code="FREE")

    assert (booking.total_minor, booking.pay_reference) == (0, "")
    assert payable_of(booking.id) is None


def test_a_pos_sale_online_or_synced_is_not_payable(world):
    device = register(world)

    sold = sell(device, online_sale(world, "1A"))
    synced = sync(device, sale(world, "2A"))

    booking_ids = [sold.json()["id"], synced.json()["results"][0]["booking_id"]]
    assert [Booking.objects.get(pk=booking_id).pay_reference for booking_id in booking_ids] == ["", ""]
    assert [payable_of(booking_id) for booking_id in booking_ids] == [None, None]


def test_extending_a_hold_extends_its_payable(world):
    booking = hold(world, world.principal("passenger"), "1A")
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() + timedelta(minutes=1))

    extended = booking_extend(principal=world.principal("passenger"), booking_id=booking.id)

    payable = payable_of(booking.id)
    assert payable is not None
    assert payable.expires_at == extended.expires_at
    assert extended.expires_at > timezone.now() + timedelta(minutes=9)


def test_cancelling_a_hold_withdraws_its_payable(world):
    booking = hold(world, world.principal("passenger"), "1A")

    booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)

    payable = payable_of(booking.id)
    assert payable is not None
    assert payable.state == "withdrawn"


def test_a_hold_another_passenger_may_not_cancel_stays_payable(world):
    booking = hold(world, world.principal("passenger"), "1A")

    with pytest.raises(NotFound):
        booking_cancel(principal=world.principal("other_passenger"), booking_id=booking.id)

    payable = payable_of(booking.id)
    assert payable is not None
    assert payable.state == "open"


def test_the_sweep_withdraws_the_payables_of_lapsed_holds_in_one_statement(world):
    lapsed = [hold(world, world.principal(who), seat) for who, seat in (("passenger", "1A"),
                                                                         ("other_passenger", "1B"))]
    live = hold(world, world.principal("passenger"), "1C")
    _lapse(*lapsed)

    with CaptureQueriesContext(connection) as sent:
        assert expire_holds() == 2

    withdrawals = [q["sql"] for q in sent.captured_queries if q["sql"].startswith('UPDATE "payment_payable"')]
    assert len(withdrawals) == 1
    assert [payable_of(b.id).state for b in lapsed] == ["withdrawn", "withdrawn"]
    assert payable_of(live.id).state == "open"


def test_a_lapsed_hold_in_a_new_holds_way_is_no_longer_payable(world):
    lapsed = hold(world, world.principal("passenger"), "1A")
    _lapse(lapsed)

    taken = hold(world, world.principal("other_passenger"), "1A")

    assert Booking.objects.get(pk=lapsed.id).state == "expired"
    assert payable_of(lapsed.id).state == "withdrawn"
    assert payable_of(taken.id).state == "open"


def test_a_cancelled_trip_withdraws_the_payables_of_its_holds(world):
    held = [hold(world, world.principal(who), seat) for who, seat in (("passenger", "3A"), ("other_passenger", "3B"))]
    world.cancel_trip()
    event = OutboxMessage.objects.get(event="company.trip_cancelled")

    apply_once(event_id=str(event.id), event=event.event, payload=event.payload, headers={},
               handler="apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")

    assert [Booking.objects.get(pk=b.id).state for b in held] == ["cancelled", "cancelled"]
    assert [payable_of(b.id).state for b in held] == ["withdrawn", "withdrawn"]
