"""Many passengers redeem a promo code with few uses left at the same moment: the count never passes it."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ticketing.models import Booking, PromoCode, PromoRedemption
from apps.ticketing.sales.services.bookings import booking_hold
from apps.ticketing.tests.holding import riders
from apps.ticketing.tests.racing import race
from tests.worlds.ticketing import build_sales_world
from transport.errors import ValidationFailed
from transport.principal import Principal, PrincipalKind

SEATS = [f"{row}{letter}" for row in range(1, 10) for letter in "ABCD"][:30]
USES = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_exceed_the_limit():
    # given a code with 5 uses, and 30 passengers each holding a different seat with it
    world = build_sales_world()
    now = timezone.now()
    promo = PromoCode.objects.create(company_id=world.company_id, code="FIRST5", kind="percent", value=50,
                                     valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1),
                                     max_uses=USES)

    def attempt(number: int) -> str:
        user_id = uuid.uuid4()
        try:
            booking_hold(principal=Principal(kind=PrincipalKind.USER, id=user_id, user_id=user_id),
                         trip_id=world.trip_id, from_stop_id=world.stops["Nairobi"], to_stop_id=world.stops["Kisumu"],
                         passengers=riders(SEATS[number]), promo_code="FIRST5")
        except ValidationFailed as exc:
            return exc.code
        return "held"

    # when they all book at once
    outcomes = Counter(race(len(SEATS), attempt))

    # then exactly 5 get the discount, the others are told it is used up, and nothing else was written
    assert outcomes == Counter({"held": USES, "promo_exhausted": len(SEATS) - USES})
    assert PromoCode.objects.get(pk=promo.pk).used == USES
    assert PromoRedemption.objects.count() == USES
    assert Booking.objects.count() == USES
