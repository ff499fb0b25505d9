"""Cash in the same ledger: every confirmation not paid through a payment (the counter, a POS device's online sale
or offline sync) records the booking's total as cash taken by whoever confirmed, in the confirmation's
transaction; a confirmation paid by a payment records none."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, PromoCode, SeatHold
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from apps.ticketing.tests.pos_devices import online_sale, register, sale, sell, sync
from tests.worlds.booking_payments import cash_of, company_ledger, ledger_of, payable_of, payments_of
from transport.principal import Principal

pytestmark = pytest.mark.django_db

PAYMENT_CONFIRMER = Principal.system("ticketing-tests-payments", {"ticketing.confirm_booking"})


def test_the_agent_confirming_at_the_counter_records_the_cash_taken(world):
    booking = hold(world, world.principal("passenger"), "1A", "1B")
    agent = world.users["agent"]

    confirmed = booking_confirm(booking_id=booking.id, principal=world.principal("agent"), payment_ref="CASH-7")

    assert confirmed.state == "confirmed"
    assert cash_of(booking.id) == [(280_000, "KES", f"user:{agent.pk}")]
    [payment] = payments_of(booking.id)
    assert (payment.provider, payment.state, payment.reference, payment.initiated_by) == (
        "cash", "succeeded", booking.pay_reference, f"user:{agent.pk}")
    assert payable_of(booking.id).state == "settled"


def test_confirming_a_confirmed_booking_again_records_no_more_cash(world):
    booking = hold(world, world.principal("passenger"), "1A")
    booking_confirm(booking_id=booking.id, principal=world.principal("agent"))

    booking_confirm(booking_id=booking.id, principal=world.principal("company_admin"))

    assert cash_of(booking.id) == [(140_000, "KES", f"user:{world.users['agent'].pk}")]


def test_a_confirmation_paid_by_a_payment_records_no_cash(world):
    booking = hold(world, world.principal("passenger"), "1A")

    confirmed = booking_confirm(booking_id=booking.id, principal=PAYMENT_CONFIRMER, payment_ref="mpesa:TX1",
                                paid_by_payment=uuid.uuid4())

    assert confirmed.state == "confirmed"
    assert ledger_of(booking.id) == []


def test_a_counter_confirmation_that_finds_the_seats_taken_records_no_cash(world):
    lapsed = hold(world, world.principal("passenger"), "2A")
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.filter(pk=lapsed.pk).update(expires_at=past)
    SeatHold.objects.filter(booking=lapsed).update(expires_at=past)
    hold(world, world.principal("other_passenger"), "2A")

    ended = booking_confirm(booking_id=lapsed.id, principal=world.principal("agent"))

    assert ended.state == "conflict"
    assert ledger_of(lapsed.id) == []


def test_a_free_booking_confirmed_at_the_counter_records_no_cash(world):
    now = timezone.now()
    PromoCode.objects.create(company_id=world.company_id, code="FREE", kind="percent", value=100,
                             valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))
    booking = hold(world, world.principal("passenger"), "1A", promo_code="FREE")

    confirmed = booking_confirm(booking_id=booking.id, principal=world.principal("agent"))

    assert confirmed.state == "confirmed"
    assert ledger_of(booking.id) == []


def test_a_pos_devices_online_sale_records_its_cash_under_the_device_through_its_agent_role(world):
    device = register(world)

    response = sell(device, online_sale(world, "1A", board="Nakuru", cash_minor=70_000))

    assert response.status_code == 201
    booking_id = uuid.UUID(response.json()["id"])
    assert cash_of(booking_id) == [(70_000, "KES", f"device:{device.id}")]
    assert device.principal().has("payment.collect_cash", company_id=world.company_id)


def test_a_pos_devices_synced_sales_record_their_cash_once_however_often_uploaded(world):
    device = register(world)
    sold = sale(world, "3A", "3B", cash_minor=280_000)

    first = sync(device, sold)
    again = sync(device, sold)

    assert first.json() == again.json()
    booking_id = uuid.UUID(first.json()["results"][0]["booking_id"])
    assert cash_of(booking_id) == [(280_000, "KES", f"device:{device.id}")]


def test_a_device_sale_that_fails_records_no_cash(world):
    hold(world, world.principal("passenger"), "1A")
    device = register(world)

    response = sell(device, online_sale(world, "1A"))

    assert response.status_code == 409
    assert company_ledger(world.company_id) == []
