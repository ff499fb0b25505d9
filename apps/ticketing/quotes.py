"""A price quote for seats on a stretch of a trip, as a booking would freeze it now (nothing is held)."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import pricing
from apps.ticketing.trips import require_distinct_seats, require_on_sale, seat_classes, trip_stretch


def trip_quote(*, trip_id: UUID, from_stop_id: UUID, to_stop_id: UUID, passengers: list[tuple[str, str]],
               promo_code: str | None = None) -> pricing.Quote:
    """passengers: (seat label, passenger type) pairs."""
    labels = [seat for seat, _ in passengers]
    require_distinct_seats(labels, field="passengers")
    where = trip_stretch(trip_id=trip_id, from_stop_id=from_stop_id, to_stop_id=to_stop_id)
    settings = company_api.company_settings(company_id=where.company_id)
    now = timezone.now()
    require_on_sale(where, sales_cutoff_minutes=settings.sales_cutoff_minutes, now=now)
    classes = seat_classes(trip=where.trip, labels=labels)
    return pricing.quote(where=where, currency=settings.currency, now=now, promo_code=promo_code,
                         seats=[(seat, classes[seat], kind) for seat, kind in passengers])
