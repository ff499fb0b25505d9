"""Companies: founding one (its creator becomes its admin) and editing its profile and operating settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.auth import api as auth_api
from apps.company import checks
from apps.company.models import Company
from apps.company.permissions import MANAGE_COMPANY
from transport.errors import Conflict, NotAuthenticated
from transport.principal import Principal
from transport.tenancy import get_for

EDITABLE = {"name", "country", "currency", "timezone", "contact_email", "contact_phone", "website", "address",
            "seat_hold_minutes", "sales_cutoff_minutes", "cancellation_cutoff_hours", "refund_percent",
            "late_refund_percent", "no_refund_hours", "max_seats_per_booking", "max_active_holds_per_user",
            "max_active_holds_per_device", "payment_hold_minutes", "live_trips_public", "delay_alert_minutes",
            "language"}
DELAY_ALERT_MAX_MINUTES = 240  # the model's check constraint says the same


def _check(values: dict[str, Any]) -> dict[str, Any]:
    if "country" in values:
        checks.country(values["country"])
    if "currency" in values:
        checks.currency(values["currency"])
    if "timezone" in values:
        checks.timezone(values["timezone"])
    for field in ("refund_percent", "late_refund_percent"):
        if field in values:
            checks.percent(field, values[field])
    if "seat_hold_minutes" in values and values["seat_hold_minutes"] < 1:
        raise checks.invalid("seat_hold_minutes", "At least one minute.")
    most = settings.PAYMENT_HOLD_MAX_MINUTES
    if "payment_hold_minutes" in values and not 1 <= values["payment_hold_minutes"] <= most:
        raise checks.invalid("payment_hold_minutes", f"From 1 to {most} minutes (the platform's limit).")
    if "delay_alert_minutes" in values and not 1 <= values["delay_alert_minutes"] <= DELAY_ALERT_MAX_MINUTES:
        raise checks.invalid("delay_alert_minutes", f"From 1 to {DELAY_ALERT_MAX_MINUTES} minutes.")
    if "language" in values and values["language"] not in dict(settings.LANGUAGES):
        raise checks.invalid("language", "One of " + ", ".join(dict(settings.LANGUAGES)) + ".")
    for field in ("max_seats_per_booking", "max_active_holds_per_user", "max_active_holds_per_device"):
        if values.get(field) is not None and values[field] < 1:
            raise checks.invalid(field, "At least 1, or empty for the platform's default.")
    return values


@transaction.atomic
def company_create(*, principal: Principal, slug: str, company_id: UUID | None = None, **values: Any) -> Company:
    """Found a company; the signed-in user who founds it becomes its company admin."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    unknown = set(values) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown company fields: {sorted(unknown)}")
    _check(values)
    _check_refund_windows(Company(**values))
    try:  # the unique slug decides
        with transaction.atomic():
            company = Company.objects.create(slug=slug, **({"id": company_id} if company_id else {}), **values)
    except IntegrityError as exc:
        raise Conflict(f"The slug {slug!r} is taken.", code="slug_taken", fields={"slug": ["Taken."]}) from exc
    auth_api.company_creator_grant(principal=principal, company_id=company.id)
    return company


@transaction.atomic
def company_update(*, principal: Principal, company_id: UUID, **values: Any) -> Company:
    company = get_for(principal, Company.objects.all(), company_id, MANAGE_COMPANY, lock=True)
    unknown = set(values) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown company fields: {sorted(unknown)}")
    _check(values)
    for field, value in values.items():
        setattr(company, field, value)
    _check_refund_windows(company)
    company.save(update_fields=[*values])
    return company


def _check_refund_windows(company: Company) -> None:
    if company.no_refund_hours > company.cancellation_cutoff_hours:
        raise checks.invalid("no_refund_hours", "Must not exceed cancellation_cutoff_hours.")
