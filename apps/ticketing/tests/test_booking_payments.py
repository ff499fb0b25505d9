"""Paying bookings end to end through the real provider clients and their emulators: a hold paid with M-Pesa over
HTTP, the provider's callbacks held and then replayed to our callback endpoint (many times, out of order),
processed by payment's worker task, its events applied to ticketing's handlers from the outbox; a payment that
arrives after its hold lapsed and its seats were taken goes back through the provider."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.tests.holding import hold
from tests.worlds.booking_payments import (
    account_on,
    deliver,
    ledger_of,
    payable_of,
    payments_of,
    process_received,
    refunds_of,
    refunds_send,
)
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage
from transport.testing.network import free_port

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM = "apps.ticketing.receivers.confirm_paid_booking"
PHONE = "+254708374149"  # the emulator's test phone: it pays unless scripted
PUSHES = "/mpesa/stkpush/v1/processrequest"


@pytest.fixture
def mpesa(world, mpesa_emulator, settings):
    """The company's M-Pesa account on the emulator, whose callbacks are held until the test delivers them."""
    account_on(mpesa_emulator, settings, provider="mpesa", company_id=world.company_id)
    mpesa_emulator.hold_callbacks()
    return mpesa_emulator


def _pay(client, booking_id, key, phone=PHONE):
    return client.post(f"/api/v1/bookings/{booking_id}/payments", {"provider": "mpesa", "phone": phone},
                       format="json", HTTP_IDEMPOTENCY_KEY=key)


def _apply(rows, handler=CONFIRM, times=1) -> list[list[bool]]:
    return [[apply_once(event_id=str(row.id), event=row.event, payload=row.payload, headers=row.headers,
                        handler=handler) for _ in range(times)] for row in rows]


def _succeeded() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event="payment.payment_succeeded").order_by("created_at"))


def _receipt(callback) -> str:
    items = json.loads(callback["body"])["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    return str(next(item["Value"] for item in items if item["Name"] == "MpesaReceiptNumber"))


def _checkout(callback) -> str:
    return str(json.loads(callback["body"])["Body"]["stkCallback"]["CheckoutRequestID"])


def test_bookings_paid_with_mpesa_are_confirmed_once_however_often_and_in_whatever_order_callbacks_come(world, mpesa):
    mine = hold(world, world.principal("passenger"), "1A", "1B")
    theirs = hold(world, world.principal("other_passenger"), "2A")
    asked_at = timezone.now()

    paid = _pay(world.client("passenger"), mine.id, "pay-mine")
    _pay(world.client("other_passenger"), theirs.id, "pay-theirs")
    callbacks = mpesa.wait_until(lambda: len(mpesa.callbacks()) == 2 and mpesa.callbacks())
    delivered = [deliver(callback) for _ in range(5) for callback in reversed(callbacks)]
    processed = process_received()
    applied = _apply(reversed(_succeeded()), times=5)

    assert paid.status_code == 201
    body = paid.json()
    payment = body["payment"]
    assert {key: payment[key] for key in ("provider", "state", "amount_minor", "currency", "charge_amount_minor",
                                          "charge_currency", "conversion_rate", "reference")} == {
        "provider": "mpesa", "state": "pending", "amount_minor": 280_000, "currency": "KES",
        "charge_amount_minor": 280_000, "charge_currency": "KES", "conversion_rate": "",
        "reference": mine.pay_reference}
    assert payment["next_action"]["kind"] == "approve_on_phone"
    assert asked_at + timedelta(minutes=15) <= datetime.fromisoformat(body["booking_expires_at"])
    assert Booking.objects.get(pk=mine.id).expires_at == datetime.fromisoformat(body["booking_expires_at"])
    assert delivered == [200] * 10
    assert sorted(processed) == ["applied"] * 2 + ["duplicate"] * 8
    assert applied == [[True, False, False, False, False]] * 2
    for booking, seats in ((mine, ["1A", "1B"]), (theirs, ["2A"])):
        [its_payment] = payments_of(booking.id)
        [callback] = [c for c in callbacks if _checkout(c) == its_payment.provider_ref]
        confirmed = Booking.objects.get(pk=booking.id)
        assert (confirmed.state, confirmed.payment_ref) == ("confirmed", f"mpesa:{_receipt(callback)}")
        assert (its_payment.state, its_payment.transaction_id) == ("succeeded", _receipt(callback))
        assert sorted(Ticket.objects.filter(booking=booking).values_list("seat_label", flat=True)) == seats
        assert ledger_of(booking.id) == [("mpesa", "charge", booking.total_minor, "KES")]
        assert refunds_of(booking.id) == []
    assert mpesa.requests()[PUSHES] == 2
    listed = world.client("passenger").get(f"/api/v1/bookings/{mine.id}/payments").json()
    assert [(p["id"], p["state"], p["next_action"]["kind"]) for p in listed] == [
        (payment["id"], "succeeded", "none")]


def test_a_payment_request_repeated_pushes_once(world, mpesa):
    booking = hold(world, world.principal("passenger"), "3A")
    client = world.client("passenger")

    first = _pay(client, booking.id, "pay-1")
    replayed = _pay(client, booking.id, "pay-1")
    asked_again = _pay(client, booking.id, "pay-2")
    another_phone = _pay(client, booking.id, "pay-3", phone="+254708374150")

    assert (first.status_code, replayed.status_code, asked_again.status_code) == (201, 201, 201)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    assert asked_again.json()["payment"]["id"] == first.json()["payment"]["id"]
    assert (another_phone.status_code, another_phone.json()["code"]) == (409, "payment_pending")
    assert mpesa.requests()[PUSHES] == 1
    assert len(payments_of(booking.id)) == 1


def test_a_push_the_payer_cancels_leaves_the_hold_to_be_paid_again(world, mpesa):
    booking = hold(world, world.principal("passenger"), "3B")
    mpesa.script("254708374149", "cancelled")
    client = world.client("passenger")
    _pay(client, booking.id, "pay-1")
    [callback] = mpesa.wait_until(lambda: mpesa.callbacks())
    deliver(callback)
    assert process_received() == ["applied"]

    again = _pay(client, booking.id, "pay-2")

    assert again.status_code == 201
    listed = client.get(f"/api/v1/bookings/{booking.id}/payments").json()
    assert [(p["state"], p["failure_code"]) for p in listed] == [("pending", ""), ("failed", "1032")]
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert ledger_of(booking.id) == []
    assert mpesa.requests()[PUSHES] == 2


def test_mpesa_out_of_reach_charges_nothing_and_says_so(world, mpesa, settings):
    booking = hold(world, world.principal("passenger"), "4A")
    settings.PAYMENT_PROVIDER_BASE_URLS = {**settings.PAYMENT_PROVIDER_BASE_URLS,
                                           "mpesa": {"sandbox": f"http://127.0.0.1:{free_port()}"}}

    response = _pay(world.client("passenger"), booking.id, "pay-1")

    assert response.status_code == 503
    assert response.json()["code"] == "provider_unavailable"
    assert [(p.state, p.failure_code) for p in payments_of(booking.id)] == [("failed", "unreachable")]
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert mpesa.transactions() == []


def test_paypal_cannot_charge_shillings_without_the_companys_rate(world, paypal_emulator, settings):
    account_on(paypal_emulator, settings, provider="paypal", company_id=world.company_id)
    booking = hold(world, world.principal("passenger"), "4B")

    response = world.client("passenger").post(
        f"/api/v1/bookings/{booking.id}/payments",
        {"provider": "paypal", "return_url": "https://coach.example/paid", "cancel_url": "https://coach.example/no"},
        format="json", HTTP_IDEMPOTENCY_KEY="pay-1")

    assert response.status_code == 422
    assert response.json()["code"] == "currency_not_supported"
    assert payments_of(booking.id) == []


def test_a_payment_after_the_hold_lapsed_and_its_seats_were_taken_goes_back_through_mpesa(world, mpesa):
    booking = hold(world, world.principal("passenger"), "5A")
    _pay(world.client("passenger"), booking.id, "pay-1")
    [paid] = mpesa.wait_until(lambda: mpesa.callbacks())
    past = timezone.now() - timedelta(seconds=1)
    Booking.objects.filter(pk=booking.pk).update(expires_at=past)
    SeatHold.objects.filter(booking=booking).update(expires_at=past)
    taken = hold(world, world.principal("other_passenger"), "5A")
    deliver(paid)
    assert process_received() == ["applied"]

    assert _apply(_succeeded(), times=5) == [[True, False, False, False, False]]
    assert refunds_send() == ["pending"]
    result = mpesa.wait_until(lambda: len(mpesa.callbacks()) == 2 and mpesa.callbacks()[1])
    delivered = [deliver(result) for _ in range(3)]
    processed = process_received()

    assert delivered == [200] * 3
    assert processed == ["applied", "duplicate", "duplicate"]
    assert Booking.objects.get(pk=booking.id).state == "conflict"
    assert Ticket.objects.filter(booking=booking).count() == 0
    [payment] = payments_of(booking.id)
    assert refunds_of(booking.id) == [(f"unfulfilled:{payment.id}", 140_000, "succeeded", payment.id)]
    assert ledger_of(booking.id) == [("mpesa", "charge", 140_000, "KES"), ("mpesa", "refund", -140_000, "KES")]
    assert sum(amount for _provider, _kind, amount, _currency in ledger_of(booking.id)) == 0
    assert mpesa.requests()["/mpesa/reversal/v1/request"] == 1
    assert Booking.objects.get(pk=taken.id).state == "held"
    assert payable_of(taken.id).state == "open"
    assert [row.payload["reason"] for row in OutboxMessage.objects.filter(event="ticketing.booking_refund_required")] \
        == ["seats_taken_after_hold_lapsed"]
