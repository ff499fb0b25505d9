"""Dispatch messages as the company's staff read them: what was sent, delivered and acknowledged."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from apps.tracking.models import DispatchMessage
from apps.tracking.permissions import SEND_DISPATCH, VIEW_FLEET
from transport.principal import Principal


def dispatch_messages_of_company(*, principal: Principal, company_id: UUID, driver_id: UUID | None = None,
                                 trip_id: UUID | None = None, unacknowledged: bool = False
                                 ) -> QuerySet[DispatchMessage]:
    """Newest first. Needs tracking.send_dispatch or tracking.view_fleet in the company."""
    if not principal.has(VIEW_FLEET, company_id=company_id):
        principal.require(SEND_DISPATCH, company_id=company_id)
    messages = DispatchMessage.objects.filter(company_id=company_id)
    if driver_id is not None:
        messages = messages.filter(driver_id=driver_id)
    if trip_id is not None:
        messages = messages.filter(trip_id=trip_id)
    if unacknowledged:
        messages = messages.filter(acknowledged_at__isnull=True)
    return messages.order_by("-created_at", "-id")
