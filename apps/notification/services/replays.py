"""Replaying a delivery that is dead (retries exhausted) or failed (refused, perhaps since mended: a number
corrected, a gateway's balance topped up): it is queued again, its log says who replayed it, and it is sent
now. The same row: the message still goes once per event and recipient."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from apps.notification.models import Delivery, DeliveryLogEntry
from apps.notification.permissions import REPLAY_DELIVERY
from apps.notification.queueing import send_after_commit
from transport.errors import Conflict, NotFound
from transport.principal import Principal

REPLAYABLE = (Delivery.Status.DEAD, Delivery.Status.FAILED)


@transaction.atomic
def delivery_replay(*, principal: Principal, delivery_id: UUID) -> Delivery:
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No such delivery.")
    principal.require(REPLAY_DELIVERY, company_id=delivery.company_id)
    if delivery.status not in REPLAYABLE:
        raise Conflict(f"Only a dead or failed message is replayed; this one is {delivery.status}.",
                       code="delivery_not_replayable")
    delivery.status, delivery.next_attempt_at, delivery.status_reason = Delivery.Status.QUEUED, None, ""
    delivery.save(update_fields=["status", "next_attempt_at", "status_reason", "updated_at"])
    DeliveryLogEntry.objects.create(delivery=delivery, kind=DeliveryLogEntry.Kind.REPLAY, status=Delivery.Status.QUEUED,
                                    detail=f"replayed by {principal.name or principal.id}")
    send_after_commit([delivery.pk])
    return delivery
