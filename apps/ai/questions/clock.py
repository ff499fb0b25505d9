"""The asking company's clock: its time zone, and today's date there (what "yesterday" and "this month" mean)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.company import api as company_api


@dataclass(frozen=True)
class CompanyClock:
    time_zone: str
    today: dt.date


def company_clock(*, company_id: UUID, now: dt.datetime | None = None) -> CompanyClock:
    """The company's zone and its local date at `now` (default: the current instant)."""
    zone = company_api.company_settings(company_id=company_id).timezone
    instant = now if now is not None else timezone.now()
    return CompanyClock(time_zone=zone, today=instant.astimezone(ZoneInfo(zone)).date())
