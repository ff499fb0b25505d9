"""Pricing seats on a stretch of a trip: what a hold freezes into its booking, and what a quote shows before
(nothing is held). Both go through `stretch_priced`, so a quote is the price a hold would freeze now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import policy
from apps.ticketing.fares import pricing
from apps.ticketing.models import FareRule
from apps.ticketing.trips import (
    TRIP_CANCELLED,
    Stretch,
    require_distinct_seats,
    require_on_sale,
    seat_classes,
    trip_stretch,
)
from transport.errors import ValidationFailed


class PriceReads:
    """What pricing reads: a company's settings, a stretch's fares, a route's fare rules, each read once by one
    instance. A hold reads them afresh; a batch of sales decided together (a POS upload, a few seconds) shares
    one, so a fare or rule changed while the batch runs applies from the next batch on, as it would to a batch
    begun a moment later. Seats are never judged from it: who holds what is read by the seat guard every time."""

    def __init__(self) -> None:
        self._settings: dict[UUID, company_api.CompanySettings] = {}
        self._fares: dict[tuple[UUID, UUID, UUID, UUID], dict[str, tuple[int, str]]] = {}
        self._rules: dict[tuple[UUID, UUID], list[FareRule]] = {}

    def settings(self, company_id: UUID) -> company_api.CompanySettings:
        if company_id not in self._settings:
            self._settings[company_id] = company_api.company_settings(company_id=company_id)
        return self._settings[company_id]

    def fares(self, where: Stretch) -> dict[str, tuple[int, str]]:
        key = (where.company_id, where.trip.route_id, where.from_stop_id, where.to_stop_id)
        if key not in self._fares:
            self._fares[key] = pricing.fares_for(company_id=where.company_id, route_id=where.trip.route_id,
                                                 from_stop_id=where.from_stop_id, to_stop_id=where.to_stop_id)
        return self._fares[key]

    def rules(self, where: Stretch) -> list[FareRule]:
        key = (where.company_id, where.trip.route_id)
        if key not in self._rules:
            self._rules[key] = pricing.active_rules(company_id=where.company_id, route_id=where.trip.route_id)
        return self._rules[key]


@dataclass(frozen=True)
class PricedStretch:
    where: Stretch
    settings: company_api.CompanySettings
    quote: pricing.Quote


def stretch_priced(*, trip_id: UUID, from_stop_id: UUID, to_stop_id: UUID, passengers: list[tuple[str, str]],
                   now: datetime, promo_code: str | None = None, sold_at: datetime | None = None,
                   trip: company_api.TripDetails | None = None, reads: PriceReads | None = None) -> PricedStretch:
    """The stretch, its company's settings and the price of the seats, checked as a hold checks them: seats
    distinct and within the company's limit, the trip on sale, the seats sold on this bus.

    passengers: (seat label, passenger type) pairs. `sold_at`: when an offline sale was made (device clock,
    checked by the caller): it is priced and judged against the sales cutoff as of then, even if the bus has
    left since (the passenger rode). `trip`: the trip when the caller has read it already. `reads`: prices read
    for a batch of sales (read afresh without).
    """
    reads = reads or PriceReads()
    labels = [seat for seat, _ in passengers]
    require_distinct_seats(labels, field="passengers")
    where = trip_stretch(trip_id=trip_id, from_stop_id=from_stop_id, to_stop_id=to_stop_id, trip=trip)
    settings = reads.settings(where.company_id)
    _check_count(labels, limit=policy.max_seats_per_booking(settings))
    _require_sellable(where, sales_cutoff_minutes=settings.sales_cutoff_minutes, now=now, sold_at=sold_at)
    classes = seat_classes(trip=where.trip, labels=labels)
    price = pricing.quote(where=where, currency=settings.currency, now=sold_at or now, promo_code=promo_code,
                          fares=reads.fares(where), rules=reads.rules(where),
                          seats=[(seat, classes[seat], kind) for seat, kind in passengers])
    return PricedStretch(where=where, settings=settings, quote=price)


def trip_quote(*, trip_id: UUID, from_stop_id: UUID, to_stop_id: UUID, passengers: list[tuple[str, str]],
               promo_code: str | None = None) -> pricing.Quote:
    """passengers: (seat label, passenger type) pairs."""
    return stretch_priced(trip_id=trip_id, from_stop_id=from_stop_id, to_stop_id=to_stop_id, passengers=passengers,
                          promo_code=promo_code, now=timezone.now()).quote


def _check_count(labels: list[str], *, limit: int) -> None:
    """The company's limit of seats per booking."""
    if len(labels) > limit:
        raise ValidationFailed(f"At most {limit} seats per booking.", code="too_many_seats",
                               fields={"passengers": [f"At most {limit}."]})


def _require_sellable(where: Stretch, *, sales_cutoff_minutes: int, now: datetime, sold_at: datetime | None) -> None:
    if sold_at is None:
        require_on_sale(where, sales_cutoff_minutes=sales_cutoff_minutes, now=now)
        return
    # an offline sale is judged as of when it was made: the bus may have left (or arrived) since it was synced
    if where.trip.status == TRIP_CANCELLED:
        raise ValidationFailed("This trip was cancelled.", code="trip_cancelled")
    if sold_at >= where.departs_at - timedelta(minutes=sales_cutoff_minutes):
        raise ValidationFailed("Sales for this departure had closed when the sale was made.", code="sales_closed")
