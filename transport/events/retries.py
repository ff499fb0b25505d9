"""Retries too far off to wait in the broker: kept in the database, sent by the outbox sweep when due.

A countdown waits inside the broker as an unacknowledged message held by a worker. On Redis such a
message is handed back to the queue once the visibility timeout passes, so a countdown longer than that
runs early and again on every pass; on RabbitMQ a message held past the consumer timeout closes the
worker's channel. So only short backoffs are countdowns (TRANSPORT_EVENT_BROKER_DELAY_MAX_SECONDS); a
longer one is a row here, and the message that failed is acknowledged.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.utils import timezone

from transport.events import relay
from transport.events.models import ScheduledRetry

logger = logging.getLogger(__name__)


def retry_later(*, event_id: str, event: str, handler: str, payload: dict[str, Any], headers: dict[str, Any],
                attempts: int, delay_seconds: float, error: str) -> ScheduledRetry:
    return ScheduledRetry.objects.create(
        event_id=event_id, event=event, handler=handler, payload=payload, headers=headers, attempts=attempts,
        due_at=timezone.now() + timedelta(seconds=delay_seconds), last_error=error[:10000],
    )


def send_due(*, limit: int = 200) -> int:
    """Send the retries that are due, each once: a row is deleted in the transaction that locked it, after
    the broker confirmed its message. Stops at the first broker failure. Returns how many were sent."""
    with transaction.atomic():
        due = list(ScheduledRetry.objects.select_for_update(skip_locked=True)
                   .filter(due_at__lte=timezone.now()).order_by("due_at")[:limit])
        if not due:
            return 0
        sent: list[int] = []
        try:
            with current_app.producer_or_acquire() as producer:
                for row in due:
                    relay.send_delivery(
                        relay.delivery_kwargs(event_id=str(row.event_id), event=row.event, handler=row.handler,
                                              payload=row.payload, headers=row.headers),
                        producer, retries=row.attempts,
                    )
                    sent.append(row.pk)
        except Exception as exc:
            relay.breaker.trip()
            logger.warning("broker unavailable, due retries left for the next sweep", extra={"error": str(exc)})
        ScheduledRetry.objects.filter(id__in=sent).delete()
    return len(sent)
