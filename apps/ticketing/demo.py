"""Demo data of ticketing for `make run`: fares for every stretch of the demo companies' routes, priced by
distance and seat class, a 10 % welcome promo code, and the sales notes. Runs after company's seeder."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing.models import Fare, PromoCode
from transport.demo import DEMO_COMPANIES, DemoOutput, demo_seeder

# company's demo routes end in these towns
DEMO_TOWNS = ["Nairobi", "Nakuru", "Eldoret", "Kisumu", "Mombasa", "Kampala"]
# minor units (cents) per km, and the least a stretch costs, by seat class
PER_KM_MINOR = {"standard": 600, "vip": 900}
MINIMUM_MINOR = 30_000
PROMO_CODE = "KARIBU10"


@demo_seeder(order=30)
def seed(out: DemoOutput) -> None:
    day = timezone.localdate() + timedelta(days=1)
    for company_id in DEMO_COMPANIES.values():
        routes = _route_trips(company_id, day)
        for trip_id in routes.values():
            _fares_for(trip_id)
        if routes:
            _promo(company_id)
    out.add_note(f"Fares for every stretch of the demo routes; promo code {PROMO_CODE} takes 10 % off.")


def _route_trips(company_id: uuid.UUID, day) -> dict[uuid.UUID, uuid.UUID]:
    """One trip per route of the company (each route is found from its first town to its last)."""
    found: dict[uuid.UUID, uuid.UUID] = {}
    for board, alight in itertools.permutations(DEMO_TOWNS, 2):
        for offer in company_api.trips_between(on=day, from_town=board, to_town=alight, company_id=company_id):
            found.setdefault(offer.route_id, offer.trip_id)
    return found


def _fares_for(trip_id: uuid.UUID) -> None:
    trip = company_api.get_trip(trip_id=trip_id)
    currency = company_api.company_settings(company_id=trip.company_id).currency
    classes = {seat.seat_class for seat in company_api.trip_seat_layout(trip_id=trip_id).seats}
    for board, alight in itertools.combinations(trip.stops, 2):
        km = alight.distance_km - board.distance_km
        for seat_class in classes:
            per_km = PER_KM_MINOR.get(seat_class, PER_KM_MINOR["standard"])
            # whole shillings: a fare ends in 00 cents
            amount = max(MINIMUM_MINOR, int(km * per_km) // 100 * 100)
            Fare.objects.update_or_create(
                route_id=trip.route_id, from_stop_id=board.stop_id, to_stop_id=alight.stop_id, seat_class=seat_class,
                defaults={"company_id": trip.company_id, "amount_minor": amount, "currency": currency})


def _promo(company_id: uuid.UUID) -> None:
    now = timezone.now()
    PromoCode.objects.get_or_create(company_id=company_id, code=PROMO_CODE, defaults={
        "kind": PromoCode.Kind.PERCENT, "value": 10, "valid_from": now, "valid_until": now + timedelta(days=365),
        "max_uses_per_user": 1})
