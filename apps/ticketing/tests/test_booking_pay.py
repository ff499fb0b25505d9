"""POST and GET /api/v1/bookings/{id}/payments without a provider answering: who may pay, what a payment needs,
which holds may be paid, and the hold lengthened for the payment even when payment refuses to start it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, SeatHold
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from tests.worlds.booking_payments import payable_of, payments_of

pytestmark = pytest.mark.django_db

MPESA = {"provider": "mpesa", "phone": "+254708374149"}
PAYPAL = {"provider": "paypal", "return_url": "https://coach.example/paid", "cancel_url": "https://coach.example/x"}


def _pay(client, booking_id, body, key="pay-1"):
    return client.post(f"/api/v1/bookings/{booking_id}/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _expiries(booking: Booking) -> tuple:
    payable = payable_of(booking.id)
    assert payable is not None
    return (Booking.objects.get(pk=booking.id).expires_at,
            set(SeatHold.objects.filter(booking=booking).values_list("expires_at", flat=True)), payable.expires_at)


@pytest.mark.parametrize(("body", "errors"), [
    ({"provider": "mpesa"}, {"phone": ["Required to pay with M-Pesa."]}),
    ({"provider": "mtn_momo"}, {"phone": ["Required to pay with MTN MoMo."]}),
    ({"provider": "mpesa", "phone": "+25470837"}, {"phone": ["This value does not match the required pattern."]}),
    ({"provider": "mpesa", "phone": "+2547083741490000"},
     {"phone": ["This value does not match the required pattern."]}),
    ({"provider": "mpesa", "phone": "254 708 374149"}, {"phone": ["This value does not match the required pattern."]}),
    ({"provider": "paypal"},
     {"return_url": ["Required to pay with PayPal."], "cancel_url": ["Required to pay with PayPal."]}),
    ({**PAYPAL, "return_url": "ftp://coach.example/paid"}, {"return_url": ["Enter a valid URL."]}),
    ({**PAYPAL, "cancel_url": "https://coach.example/" + "x" * 1980},
     {"cancel_url": ["Ensure this field has no more than 2000 characters."]}),
    ({"provider": "cash", "phone": "+254708374149"}, {"provider": ['"cash" is not a valid choice.']}),
    ({**MPESA, "amount_minor": 1}, {"amount_minor": ["Unknown field."]}),
])
def test_a_payment_request_of_the_wrong_shape_is_refused_and_changes_nothing(world, body, errors):
    booking = hold(world, world.principal("passenger"), "1A")
    before = _expiries(booking)

    response = _pay(world.client("passenger"), booking.id, body)

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert _expiries(booking) == before
    assert payments_of(booking.id) == []


def test_a_payment_request_needs_an_idempotency_key(world):
    booking = hold(world, world.principal("passenger"), "1A")

    response = world.client("passenger").post(f"/api/v1/bookings/{booking.id}/payments", MPESA, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


def test_a_company_without_the_provider_refuses_the_payment_and_the_hold_is_lengthened_for_another_try(world):
    booking = hold(world, world.principal("passenger"), "1A")
    asked_at = timezone.now()

    response = _pay(world.client("passenger"), booking.id, MPESA)

    assert response.status_code == 422
    assert response.json()["code"] == "provider_not_available"
    held_until, seat_rows, payable_until = _expiries(booking)
    assert asked_at + timedelta(minutes=15) <= held_until <= timezone.now() + timedelta(minutes=15)
    assert (seat_rows, payable_until) == ({held_until}, held_until)
    assert payments_of(booking.id) == []


def test_a_hold_running_longer_than_the_payment_hold_keeps_its_expiry(world):
    booking = hold(world, world.principal("passenger"), "1A")
    later = timezone.now() + timedelta(minutes=40)
    Booking.objects.filter(pk=booking.pk).update(expires_at=later)
    SeatHold.objects.filter(booking=booking).update(expires_at=later)
    before = _expiries(booking)

    _pay(world.client("passenger"), booking.id, MPESA)

    assert _expiries(booking) == before


def test_the_payment_hold_is_the_companys_within_the_platforms_bound(world, settings):
    world.change_company(payment_hold_minutes=25)
    settings.PAYMENT_HOLD_MAX_MINUTES = 20  # lowered after the company chose 25
    booking = hold(world, world.principal("passenger"), "1A")

    _pay(world.client("passenger"), booking.id, MPESA)

    held_until = Booking.objects.get(pk=booking.id).expires_at
    assert timezone.now() + timedelta(minutes=19) < held_until <= timezone.now() + timedelta(minutes=20)


@pytest.mark.parametrize("state", ["lapsed", "expired", "cancelled", "confirmed"])
def test_only_a_live_hold_is_paid(world, state):
    booking = hold(world, world.principal("passenger"), "1A")
    if state == "confirmed":
        booking_confirm(booking_id=booking.id, principal=world.principal("agent"))
    elif state == "lapsed":
        Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        Booking.objects.filter(pk=booking.pk).update(state=state)
    before = Booking.objects.get(pk=booking.id).expires_at

    response = _pay(world.client("passenger"), booking.id, MPESA)

    assert response.status_code == 409
    assert response.json()["code"] == "hold_not_live"
    assert Booking.objects.get(pk=booking.id).expires_at == before


def test_another_passenger_finds_no_such_booking(world):
    booking = hold(world, world.principal("passenger"), "1A")
    before = _expiries(booking)

    paid = _pay(world.client("other_passenger"), booking.id, MPESA)
    listed = world.client("other_passenger").get(f"/api/v1/bookings/{booking.id}/payments")

    assert (paid.status_code, listed.status_code) == (404, 404)
    assert _expiries(booking) == before


def test_staff_who_see_bookings_but_may_not_confirm_them_may_not_pay_one(world):
    booking = hold(world, world.principal("passenger"), "1A")
    before = _expiries(booking)

    response = _pay(world.client("dispatcher"), booking.id, MPESA)

    assert response.status_code == 403
    assert _expiries(booking) == before


def test_an_agent_starts_a_passengers_payment(world):
    booking = hold(world, world.principal("passenger"), "1A")

    response = _pay(world.client("agent"), booking.id, MPESA)

    # past the access check: the company has no M-Pesa account
    assert (response.status_code, response.json()["code"]) == (422, "provider_not_available")


def test_a_free_booking_has_nothing_to_pay(world):
    booking = hold(world, world.principal("passenger"), "1A")
    Booking.objects.filter(pk=booking.pk).update(pay_reference="")

    response = _pay(world.client("passenger"), booking.id, MPESA)

    assert response.status_code == 409
    assert response.json()["code"] == "not_payable"


def test_the_holder_and_staff_list_a_bookings_payments(world):
    booking = hold(world, world.principal("passenger"), "1A")

    mine = world.client("passenger").get(f"/api/v1/bookings/{booking.id}/payments")
    staff = world.client("dispatcher").get(f"/api/v1/bookings/{booking.id}/payments")
    anonymous = world.client(None).get(f"/api/v1/bookings/{booking.id}/payments")

    assert (mine.status_code, mine.json()) == (200, [])
    assert (staff.status_code, staff.json()) == (200, [])
    assert anonymous.status_code == 401
