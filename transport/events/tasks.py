"""The Celery side of events: deliver one event to one handler; sweep the outbox; replay dead letters."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from transport.events import relay, retries
from transport.events.delivery import apply_once, dead_letter
from transport.events.models import DeadLetter

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=relay.DELIVER_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the kernel counts attempts itself and dead-letters at the limit
)
def deliver(
    self: Task[..., str], *, event_id: str, event: str, handler: str, payload: dict[str, Any], headers: dict[str, Any]
) -> str:
    # the request id arrives in the message headers (transport.logging sets it around each task)
    try:
        applied = apply_once(event_id=event_id, event=event, handler=handler, payload=payload, headers=headers)
        return "applied" if applied else "duplicate"
    except Exception as exc:
        attempt = self.request.retries + 1
        if attempt >= settings.TRANSPORT_EVENT_MAX_ATTEMPTS:
            dead_letter(event_id=event_id, event=event, handler=handler, payload=payload, headers=headers,
                        error=traceback.format_exc(), attempts=attempt)
            logger.error("event handler failed for good; dead-lettered",
                         extra={"event_id": event_id, "handler": handler, "attempts": attempt})
            return "dead-lettered"
        countdown = settings.TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)
        logger.warning("event handler failed; retrying",
                       extra={"event_id": event_id, "handler": handler, "attempt": attempt, "in": countdown})
        if countdown > settings.TRANSPORT_EVENT_BROKER_DELAY_MAX_SECONDS:
            retries.retry_later(event_id=event_id, event=event, handler=handler, payload=payload, headers=headers,
                                attempts=attempt, delay_seconds=countdown, error=traceback.format_exc())
            return "retry-scheduled"
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="transport.events.sweep_outbox", acks_late=True)
def sweep_outbox() -> int:
    return relay.sweep()


def replay_dead_letter(dead_letter_id: int) -> bool:
    """Send a dead letter to its handler again (from the admin or a command). False if already replayed."""
    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().filter(id=dead_letter_id, replayed_at__isnull=True).first()
        if letter is None:
            return False
        letter.replayed_at = timezone.now()
        letter.save(update_fields=["replayed_at"])
        kwargs = relay.delivery_kwargs(event_id=str(letter.event_id), event=letter.event, handler=letter.handler,
                                       payload=letter.payload, headers=letter.headers)
    # after the commit: a task is never sent from inside an open transaction
    deliver.apply_async(kwargs=kwargs, queue=settings.TRANSPORT_EVENT_QUEUE,
                        headers={"request_id": letter.headers.get("request_id")})
    return True
