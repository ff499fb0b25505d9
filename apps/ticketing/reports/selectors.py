"""Sales reports for company staff: confirmed sales by trip, day (in the company's timezone), agent or
channel, with the money refunded on later cancellations. One aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from apps.company import api as company_api
from apps.ticketing.models import Booking, Passenger
from apps.ticketing.permissions import VIEW_SALES
from transport.errors import ValidationFailed
from transport.principal import Principal

GROUPINGS = ("trip", "day", "agent", "channel")
MAX_DAYS = 366


@dataclass(frozen=True)
class SalesRow:
    key: str  # the trip id, the local date, the selling user's id ("" when none) or the channel
    bookings: int
    seats: int
    gross_minor: int
    refunded_minor: int
    currency: str


def sales_report(*, principal: Principal, company_id: UUID, group_by: str, since: date, until: date) -> list[SalesRow]:
    """Bookings confirmed from `since` to `until` (local dates, both included)."""
    principal.require(VIEW_SALES, company_id=company_id)
    if group_by not in GROUPINGS:
        raise ValidationFailed(f"Group by one of {', '.join(GROUPINGS)}.", fields={"group_by": ["Unknown grouping."]})
    if until < since or (until - since).days >= MAX_DAYS:
        raise ValidationFailed(f"Choose 1 to {MAX_DAYS} days.", fields={"until": ["Out of range."]})
    settings = company_api.company_settings(company_id=company_id)
    zone = ZoneInfo(settings.timezone)
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    seats = Passenger.objects.filter(booking=OuterRef("pk")).values("booking").annotate(n=Count("id")).values("n")
    key = {"trip": F("trip_id"), "day": TruncDate("confirmed_at", tzinfo=zone),
           "agent": F("created_by_user_id"), "channel": F("channel")}[group_by]
    rows = (Booking.objects.filter(company_id=company_id, confirmed_at__gte=start, confirmed_at__lt=end)
            .annotate(seat_count=Subquery(seats), group=key)
            .values("group", "currency")
            .annotate(bookings=Count("id"), seats=Sum("seat_count"), gross=Sum("total_minor"),
                      refunded=Coalesce(Sum("refundable_minor"), 0))
            .order_by("group", "currency"))
    return [SalesRow(key="" if row["group"] is None else str(row["group"]), bookings=row["bookings"],
                     seats=row["seats"], gross_minor=row["gross"], refunded_minor=row["refunded"],
                     currency=row["currency"]) for row in rows]
