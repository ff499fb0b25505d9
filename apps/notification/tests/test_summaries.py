"""The daily sales summary: once per company and day, to its company admins, at the hour on its own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.notification.models import Delivery
from apps.notification.services.summaries import company_summary, summaries_due
from tests.worlds.boarding import ticket

pytestmark = pytest.mark.django_db


def _today(world) -> date:
    return timezone.now().astimezone(ZoneInfo("Africa/Nairobi")).date()


def test_company_admins_get_the_days_sales_by_channel_once(world, other_world):
    ticket(world, "1A")
    ticket(world, "1B")
    ticket(other_world, "1A")

    first = company_summary(company_id=world.company_id, day=_today(world))
    again = company_summary(company_id=world.company_id, day=_today(world))

    assert len(first) == 1 and again == []
    summary = Delivery.objects.get(pk=first[0])
    assert (summary.event_type, summary.channel, summary.recipient) == (
        "daily_sales_summary", "email", world.users["company_admin"].email)
    assert "Online: 2 tickets, KES 2,800.00" in summary.body  # its two tickets, not the other company's
    assert "KES 4,200.00" not in summary.body


def test_the_summary_is_due_at_the_hour_on_the_companys_clock(world, settings):
    settings.NOTIFICATION_SUMMARY_HOUR = 7
    at_seven_in_nairobi = datetime(2026, 12, 5, 4, 10, tzinfo=UTC)
    at_eight_in_nairobi = datetime(2026, 12, 5, 5, 10, tzinfo=UTC)

    assert (world.company_id, datetime(2026, 12, 4).date()) in summaries_due(now=at_seven_in_nairobi)
    assert all(company != world.company_id for company, _ in summaries_due(now=at_eight_in_nairobi))
