"""Server-side prices: fares per stretch and class, fare rules, passenger types, promo codes, the quote."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing.models import Booking, Fare, FareRule, Passenger, PromoCode, PromoRedemption
from apps.ticketing.sales.services.cancellation import booking_cancel
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tasks import expire_holds
from apps.ticketing.tests.holding import hold
from transport.errors import ValidationFailed
from transport.principal import Principal

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes"
CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


def _quote(world, *passengers: tuple[str, str], board="Nairobi", alight="Kisumu", **extra):
    body = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops[board]),
            "to_stop_id": str(world.stops[alight]),
            "passengers": [{"seat": seat, "type": kind} for seat, kind in passengers], **extra}
    return world.client(None).post(QUOTES, body, format="json")


def _rule(world, name, percent, **conditions) -> FareRule:
    return FareRule.objects.create(company_id=world.company_id, name=name, percent=percent, **conditions)


def _promo(world, code="SAVE10", kind="percent", value=10, **limits) -> PromoCode:
    now = timezone.now()
    return PromoCode.objects.create(company_id=world.company_id, code=code, kind=kind, value=value,
                                    valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=7), **limits)


def test_an_anonymous_quote_shows_the_breakdown(world):
    response = _quote(world, ("1A", "adult"), ("1B", "child"), ("1C", "student"), board="Nakuru")

    assert response.status_code == 200
    assert response.json() == {
        "lines": [
            {"seat": "1A", "seat_class": "standard", "type": "adult", "fare_minor": 70_000, "adjustments": [],
             "price_minor": 70_000},
            {"seat": "1B", "seat_class": "standard", "type": "child", "fare_minor": 70_000,
             "adjustments": [{"name": "child discount", "amount_minor": -35_000}], "price_minor": 35_000},
            {"seat": "1C", "seat_class": "standard", "type": "student", "fare_minor": 70_000,
             "adjustments": [{"name": "student discount", "amount_minor": -14_000}], "price_minor": 56_000},
        ],
        "total_minor": 161_000, "currency": "KES", "promo_code": None,
    }


def test_rules_apply_when_every_condition_holds(world):
    weekday = company_api.get_trip(trip_id=world.trip_id).departure_at.isoweekday()
    _rule(world, "a weekend surcharge", 10, weekdays=[weekday])
    _rule(world, "b other days", 50, weekdays=[weekday % 7 + 1])
    _rule(world, "c morning", 5, departs_from=time(6, 0), departs_until=time(10, 0))
    _rule(world, "d evening", 30, departs_from=time(17, 0))
    _rule(world, "e early bird", -15, min_hours_before=12)
    _rule(world, "f last minute", 40, max_hours_before=12)
    FareRule.objects.create(company_id=world.company_id, name="g switched off", percent=90, is_active=False)

    response = _quote(world, ("2A", "adult"))

    assert response.json()["lines"][0]["adjustments"] == [
        {"name": "a weekend surcharge", "amount_minor": 14_000},
        {"name": "c morning", "amount_minor": 7_000},
        {"name": "e early bird", "amount_minor": -21_000},
    ]
    assert response.json()["total_minor"] == 140_000


def test_a_percent_promo_and_a_fixed_promo(world):
    _promo(world, code="SAVE10", value=10)
    _promo(world, code="MINUS1000", kind="fixed", value=100_000)

    percent = _quote(world, ("1A", "adult"), ("1B", "adult"), promo_code="save10").json()
    fixed = _quote(world, ("1A", "adult"), ("1B", "adult"), promo_code="MINUS1000").json()

    assert [line["price_minor"] for line in percent["lines"]] == [126_000, 126_000]
    assert percent["promo_code"] == "SAVE10"
    assert [line["adjustments"] for line in fixed["lines"]] == [
        [{"name": "promo MINUS1000", "amount_minor": -100_000}], []]
    assert fixed["total_minor"] == 180_000


@pytest.mark.parametrize("window", ["expired", "future", "unknown"])
def test_an_invalid_promo_is_a_422(world, window):
    promo = _promo(world, code="WINDOW")
    if window == "expired":
        PromoCode.objects.filter(pk=promo.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    if window == "future":
        PromoCode.objects.filter(pk=promo.pk).update(valid_from=timezone.now() + timedelta(hours=1))

    response = _quote(world, ("1A", "adult"), promo_code="WINDOW" if window != "unknown" else "NOPE")

    assert response.status_code == 422
    assert response.json()["code"] == "promo_invalid"


def test_a_promo_of_another_company_does_not_apply(world, other_world):
    _promo(other_world, code="THEIRS")

    response = _quote(world, ("1A", "adult"), promo_code="THEIRS")

    assert response.status_code == 422
    assert response.json()["code"] == "promo_invalid"


def test_a_quote_for_a_seat_not_sold_is_refused(world):
    response = _quote(world, ("10D", "adult"))

    assert response.status_code == 422
    assert response.json()["code"] == "seat_not_sellable"


def test_a_stretch_without_a_fare_is_refused(world):
    Fare.objects.filter(from_stop_id=world.stops["Nakuru"]).delete()

    response = _quote(world, ("1A", "adult"), board="Nakuru")

    assert response.status_code == 422
    assert response.json()["code"] == "no_fare"


def test_the_price_is_frozen_into_the_booking(world):
    booking = hold(world, world.principal("passenger"), "3A")
    _rule(world, "price rise", 50)

    confirmed = booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert confirmed.total_minor == 140_000
    assert Passenger.objects.get(booking=booking).price_minor == 140_000


def test_a_booking_with_a_promo_counts_one_use_and_a_dropped_hold_gives_it_back(world):
    promo = _promo(world, max_uses=3)
    passenger = world.principal("passenger")
    booking = hold(world, passenger, "4A", promo_code="SAVE10")

    assert booking.total_minor == 126_000
    assert PromoCode.objects.get(pk=promo.pk).used == 1
    assert PromoRedemption.objects.get().discount_minor == 14_000

    booking_cancel(principal=passenger, booking_id=booking.id)

    assert PromoCode.objects.get(pk=promo.pk).used == 0
    assert PromoRedemption.objects.count() == 0


def test_a_lapsed_hold_gives_its_use_back_and_a_late_confirmation_takes_it_again(world):
    promo = _promo(world, max_uses=3)
    booking = hold(world, world.principal("passenger"), "4A", promo_code="SAVE10")
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expire_holds()
    assert PromoCode.objects.get(pk=promo.pk).used == 0

    booking_confirm(booking_id=booking.id, principal=CASHIER)

    assert PromoCode.objects.get(pk=promo.pk).used == 1
    assert PromoRedemption.objects.get().booking_id == booking.id


def test_a_used_up_promo_is_refused(world):
    _promo(world, max_uses=1)
    hold(world, world.principal("passenger"), "5A", promo_code="SAVE10")

    with pytest.raises(ValidationFailed) as raised:
        hold(world, world.principal("other_passenger"), "5B", promo_code="SAVE10")

    assert raised.value.code == "promo_exhausted"
    assert Booking.objects.count() == 1


def test_the_per_user_limit_holds(world):
    _promo(world, max_uses_per_user=1)
    passenger = world.principal("passenger")
    hold(world, passenger, "5A", promo_code="SAVE10")

    with pytest.raises(ValidationFailed) as raised:
        hold(world, passenger, "5B", promo_code="SAVE10")

    assert raised.value.code == "promo_used_by_you"
    assert PromoCode.objects.get().used == 1
    assert Booking.objects.count() == 1
