"""The demo of `make run`: every stretch of the demo routes has a fare in each seat class, seeding twice
adds nothing, and a demo trip can be quoted and held straight away."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing.demo import PROMO_CODE
from apps.ticketing.models import Fare, PromoCode
from apps.ticketing.quotes import trip_quote
from transport.demo import DEMO_COMPANIES, seed_all


def test_the_demo_prices_every_stretch_and_seeds_once(db):
    seed_all()
    counts = (Fare.objects.count(), PromoCode.objects.count())
    seed_all()

    assert (Fare.objects.count(), PromoCode.objects.count()) == counts
    assert PromoCode.objects.filter(code=PROMO_CODE).count() == len(DEMO_COMPANIES)
    [offer] = company_api.trips_between(on=timezone.localdate() + timedelta(days=2), from_town="Nairobi",
                                        to_town="Kisumu", company_id=DEMO_COMPANIES["alpha"])
    quote = trip_quote(trip_id=offer.trip_id, from_stop_id=offer.board.stop_id, to_stop_id=offer.alight.stop_id,
                       passengers=[("1A", "adult")], promo_code=PROMO_CODE)
    assert quote.lines[0].fare_minor == 210_000  # 350 km at 6 KES
    assert quote.total_minor == 189_000
