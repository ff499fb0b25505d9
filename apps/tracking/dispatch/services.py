"""Sending, delivering and acknowledging dispatch messages. The row is the message: it is written first, and
the websocket push after the commit is only a shortcut; a driver who was offline gets every unacknowledged
message when their websocket connects again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.tracking import fanout
from apps.tracking.models import DispatchMessage
from apps.tracking.permissions import SEND_DISPATCH
from transport.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from transport.principal import Principal


def message_out(message: DispatchMessage) -> dict[str, Any]:
    """The message as a driver's websocket carries it."""
    return {"id": str(message.id), "kind": message.kind, "text": message.text,
            "trip_id": str(message.trip_id) if message.trip_id else None,
            "sent_at": fanout.iso(message.created_at)}


def _driver_of_company(company_id: UUID, driver_id: UUID, trip_id: UUID | None) -> None:
    if trip_id is not None:
        trip = company_api.get_trip(trip_id=trip_id)
        if trip.company_id != company_id:
            raise ValidationFailed("No such trip in this company.", fields={"trip_id": ["Not found."]})
        if driver_id not in company_api.trip_driver_ids(trip_id=trip_id):
            raise ValidationFailed("The driver is not assigned to this trip.",
                                   fields={"driver_id": ["Not assigned to the trip."]})
        return
    try:
        driver = auth_api.principal_for_user(user_id=driver_id)
    except NotFound:
        driver = Principal.anonymous()
    if not driver.has(company_api.DRIVES_TRIPS, company_id=company_id):
        raise ValidationFailed("No such driver in this company.", fields={"driver_id": ["Not a driver here."]})


def dispatch_message_send(*, principal: Principal, company_id: UUID, driver_id: UUID, kind: str, text: str,
                          trip_id: UUID | None = None) -> DispatchMessage:
    """A message to one of the company's drivers (to the trip's assigned driver when a trip is named). Needs
    tracking.send_dispatch in the company."""
    principal.require(SEND_DISPATCH, company_id=company_id)
    if principal.user_id is None:
        raise PermissionDenied("Dispatch messages are sent by a person.", code="permission_denied")
    if kind not in DispatchMessage.Kind.values:
        raise ValidationFailed("Unknown kind.", fields={"kind": [f"One of {', '.join(DispatchMessage.Kind.values)}."]})
    _driver_of_company(company_id, driver_id, trip_id)
    with transaction.atomic():
        message = DispatchMessage.objects.create(company_id=company_id, driver_id=driver_id, trip_id=trip_id,
                                                 kind=kind, text=text, sent_by_id=principal.user_id)
        body = message_out(message)
        transaction.on_commit(lambda: fanout.group_messages_send(
            [(fanout.driver_group(driver_id), {"type": "dispatch.message", "message": body})]))
    return message


def dispatch_messages_pending(*, driver_id: UUID) -> list[DispatchMessage]:
    """The driver's unacknowledged messages, oldest first: what a new connection of theirs is sent."""
    return list(DispatchMessage.objects.filter(driver_id=driver_id, acknowledged_at__isnull=True)
                .order_by("created_at", "id")[:200])


def dispatch_messages_delivered(*, message_ids: list[UUID]) -> None:
    """Count a websocket delivery of each message (the first one's time is kept)."""
    DispatchMessage.objects.filter(pk__in=message_ids).update(
        delivery_count=F("delivery_count") + 1, first_delivered_at=Coalesce("first_delivered_at", timezone.now()))


def dispatch_message_acknowledge(*, principal: Principal, message_id: UUID) -> DispatchMessage:
    """The driver acknowledges one of their messages; again is harmless (the first time stays). Another's message,
    or none, is NotFound."""
    if principal.user_id is None:
        raise NotAuthenticated()
    with transaction.atomic():
        message = DispatchMessage.objects.select_for_update().filter(pk=message_id,
                                                                     driver_id=principal.user_id).first()
        if message is None:
            raise NotFound("No such message.", code="dispatch_message_not_found")
        if message.acknowledged_at is None:
            message.acknowledged_at = timezone.now()
            message.save(update_fields=["acknowledged_at"])
    return message
