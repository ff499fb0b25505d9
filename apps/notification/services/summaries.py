"""The daily sales summary: each morning (NOTIFICATION_SUMMARY_HOUR on the company's clock) its company admins get
yesterday's sales by channel by email. Once per company and day, however often the periodic task runs: the day
names the event the deliveries are keyed on."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.notification import audience
from apps.notification.plans import Message
from apps.notification.services.planning import deliveries_plan
from apps.notification.wording import day_name, money
from apps.ticketing import api as ticketing_api
from transport.principal import Principal

READER = Principal.system("notification.daily-summary", {ticketing_api.VIEW_SALES, auth_api.VIEW_MEMBERS})
SUMMARY_NAMESPACE = uuid.UUID("5b0e8f43-6f0e-4b0a-9d8e-7c1c6a4f1d20")


def summary_event_id(company_id: UUID, day: date) -> UUID:
    return uuid.uuid5(SUMMARY_NAMESPACE, f"daily_sales_summary:{company_id}:{day.isoformat()}")


def _rows(company_id: UUID, day: date) -> tuple[list[dict[str, str]], int, str]:
    """Per channel: tickets and revenue; the day's tickets; the revenue in each currency."""
    sales = ticketing_api.sales_report(principal=READER, company_id=company_id, group_by="channel", since=day,
                                       until=day)
    totals: dict[str, int] = defaultdict(int)
    rows = []
    for row in sales:
        totals[row.currency] += row.gross_minor
        rows.append({"channel": row.key, "tickets": str(row.seats), "revenue": money(row.gross_minor, row.currency)})
    revenue = ", ".join(money(amount, currency) for currency, amount in sorted(totals.items()))
    return rows, sum(row.seats for row in sales), revenue


def company_summary(*, company_id: UUID, day: date) -> list[UUID]:
    """Plan the day's summary for the company's admins; the deliveries written now."""
    company = company_api.company_settings(company_id=company_id)
    admins = auth_api.company_members(principal=READER, company_id=company_id, role="company_admin")
    messages = []
    for member in admins:
        to = audience.user(company_id=company_id, user_id=member.user_id)
        if to is None:
            continue
        rows, tickets, revenue = _rows(company_id, day)
        zero = money(0, company.currency)
        messages.append(Message(kind="daily_sales_summary", to=to, company_id=company_id, context={
            "company_name": company.name, "day": day_name(day, language=to.language), "tickets_sold": str(tickets),
            "revenue": revenue or zero, "rows": rows, "dashboard_url": f"{settings.PUBLIC_BASE_URL}/admin/"}))
    with transaction.atomic():
        return deliveries_plan(event_id=summary_event_id(company_id, day), messages=messages)


def summaries_due(*, now: datetime) -> list[tuple[UUID, date]]:
    """(company, yesterday) for each company whose clock shows the summary hour now."""
    due = []
    for company_id in company_api.company_ids():
        zone = ZoneInfo(company_api.company_settings(company_id=company_id).timezone)
        local = now.astimezone(zone)
        if local.hour == settings.NOTIFICATION_SUMMARY_HOUR:
            due.append((company_id, local.date() - timedelta(days=1)))
    return due
