"""The sales report in the Django admin: the same report as GET /api/v1/sales, as a page linked from the
bookings list, for members holding ticketing.view_sales (per company they hold it in)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing.permissions import VIEW_SALES
from apps.ticketing.reports import selectors as reports
from transport.errors import DomainError
from transport.principal import Principal

DEFAULT_DAYS = 7


def sales_view(request: HttpRequest, principal: Principal, companies: list[UUID]) -> HttpResponse:
    """`companies`: the ids the admin user may see; the report runs for the one chosen (the first by default)."""
    allowed = [company for company in companies if principal.has(VIEW_SALES, company_id=company)]
    chosen = _uuid(request.GET.get("company")) or (allowed[0] if allowed else None)
    # the report's days are the company's local dates: after 21:00 UTC it is already tomorrow in Nairobi
    zone = ZoneInfo(company_api.company_settings(company_id=chosen).timezone) if chosen in allowed else None
    today = timezone.localdate(timezone=zone)
    group_by = request.GET.get("group_by", "day")
    since = _date(request.GET.get("since")) or today - timedelta(days=DEFAULT_DAYS - 1)
    until = _date(request.GET.get("until")) or today
    rows, error = [], ""
    if chosen is None:
        error = "You see the sales of no company."
    else:
        try:
            rows = reports.sales_report(principal=principal, company_id=chosen, group_by=group_by, since=since,
                                        until=until)
        except DomainError as exc:
            error = str(exc)
    context = {
        **admin.site.each_context(request),
        "title": "Sales report",
        "companies": [(company, company_api.company_settings(company_id=company).name) for company in allowed],
        "chosen": chosen, "group_by": group_by, "groupings": reports.GROUPINGS, "since": since, "until": until,
        "rows": [(_label(row.key, group_by), row) for row in rows], "error": error,
        "totals": {"bookings": sum(r.bookings for r in rows), "seats": sum(r.seats for r in rows)},
    }
    return TemplateResponse(request, "admin/ticketing/sales_report.html", context)


def _label(key: str, group_by: str) -> str:
    """A trip as its route and departure, rather than its id."""
    if group_by != "trip" or not key:
        return key or "(none)"
    trip = company_api.get_trip(trip_id=UUID(key))
    return f"{trip.route_code} {trip.departure_at:%Y-%m-%d %H:%M} ({key[:8]})"


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
