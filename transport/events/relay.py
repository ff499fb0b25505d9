"""From the outbox to the broker: one message per (event, subscribed handler), with publisher
confirms; an outbox row is marked published only after the broker took every message of it.

Two paths call relay(): right after the sender's commit (relay_after_commit), and the periodic
sweep, which publishes what a crash or a broker outage left behind. Rows are claimed with
FOR UPDATE SKIP LOCKED so concurrent relays never publish the same row at once; a crash between
publishing and marking can publish a row twice, which the handlers' inbox makes harmless.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu import Producer

from transport.events import registry
from transport.events.models import InboxRecord, OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_TASK = "transport.events.deliver"


class _BrokerBreaker:
    """After a failed publish, skip the immediate relay for a while: requests should not each wait
    for a broker that is down; the sweep catches up when it returns."""

    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + settings.TRANSPORT_EVENT_BREAKER_SECONDS

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = _BrokerBreaker()


class _ThreadProducers:
    """One producer (and broker connection) kept per thread for the after-commit path: acquiring one
    from the pool for every event cost more than the publish itself. Discarded after any failure."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self) -> Producer:
        producer = getattr(self._local, "producer", None)
        if producer is None or getattr(self._local, "broker_url", None) != current_app.conf.broker_write_url:
            self.discard()
            producer = current_app.amqp.Producer(current_app.connection_for_write())
            self._local.producer = producer
            self._local.broker_url = current_app.conf.broker_write_url
        return producer

    def discard(self) -> None:
        producer = getattr(self._local, "producer", None)
        self._local.producer = None
        if producer is not None:
            with suppress(Exception):
                producer.connection.close()


_producers = _ThreadProducers()


_held = threading.local()


@contextlib.contextmanager
def relay_held() -> Iterator[None]:
    """Inside it, this thread publishes nothing after commit: the outbox rows wait for a sweep. For writes to a
    database no worker serves (the questions' evaluation database), whose events no worker must receive."""
    before = getattr(_held, "on", False)
    _held.on = True
    try:
        yield
    finally:
        _held.on = before


def relay_after_commit(message: OutboxMessage) -> None:
    """Publish an event its sender just committed. The row is not locked: the sweep only takes rows
    older than its grace period, and if both ever publish one, the handlers' inbox absorbs it."""
    if breaker.is_open() or getattr(_held, "on", False):
        return
    try:
        _publish_row(message, _producers.get())
    except Exception as exc:  # never fail the request that already committed: the sweep will retry
        _producers.discard()
        breaker.trip()
        _record_failure(message.id, exc)
        logger.warning("broker unavailable, event left for the sweep", extra={"event_id": str(message.id)})
        return
    breaker.reset()
    _mark_published([message.id])


def relay(*, ids: list[UUID] | None = None, older_than_seconds: float = 0, limit: int = 200) -> int:
    """Publish unpublished outbox rows (these ids, or any older than `older_than_seconds`).

    Returns how many rows were published; stops at the first broker failure, recording it.
    """
    published: list[UUID] = []
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
        if ids is not None:
            rows = rows.filter(id__in=ids)
        if older_than_seconds:
            rows = rows.filter(created_at__lt=timezone.now() - timedelta(seconds=older_than_seconds))
        batch = list(rows.order_by("created_at")[:limit])
        if not batch:
            return 0
        try:
            with current_app.producer_or_acquire() as producer:
                for row in batch:
                    _publish_row(row, producer)
                    published.append(row.id)
        except Exception as exc:
            breaker.trip()
            _record_failure(batch[len(published)].id, exc)
            logger.warning("broker unavailable, outbox rows left for the sweep", extra={"error": str(exc)})
        else:
            breaker.reset()
        OutboxMessage.objects.filter(id__in=published).update(published_at=timezone.now())
    return len(published)


# One statement, one round trip. A mark lost in a crash only means the sweep publishes the event
# again, which the inbox makes harmless, so its commit need not wait for the disk: set_config(...,
# true) turns synchronous_commit off for this statement's own transaction only.
_MARK_SQL = (
    "UPDATE transport_outboxmessage SET published_at = now() "
    "WHERE id = ANY(%s) AND published_at IS NULL AND set_config('synchronous_commit', 'off', true) = 'off'"
)


def _mark_published(ids: list[UUID]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SQL, [list(ids)])


def _record_failure(event_id: UUID, exc: Exception) -> None:
    OutboxMessage.objects.filter(id=event_id).update(
        attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _publish_row(row: OutboxMessage, producer: Producer) -> None:
    for handler in registry.handlers_for(row.event):
        send_delivery(delivery_kwargs(event_id=str(row.id), event=row.event, handler=handler, payload=row.payload,
                                      headers=row.headers), producer)


def send_delivery(kwargs: dict[str, Any], producer: Producer, *, retries: int = 0) -> None:
    """One message asking a worker to run one handler; `retries` counts the attempts already made."""
    current_app.send_task(
        DELIVER_TASK,
        kwargs=kwargs,
        producer=producer,
        queue=settings.TRANSPORT_EVENT_QUEUE,
        headers={"request_id": kwargs["headers"].get("request_id")},
        retries=retries,
        retry=False,
    )


def delivery_kwargs(
    *, event_id: str, event: str, handler: str, payload: dict[str, Any], headers: dict[str, Any]
) -> dict[str, Any]:
    return {"event_id": event_id, "event": event, "handler": handler, "payload": payload, "headers": headers}


def sweep(*, older_than_seconds: float | None = None, batch: int = 200) -> int:
    """Publish everything left behind and the retries now due; prune outbox rows published, and inbox rows
    written, before their retention periods (range scans of their indexes). Returns outbox rows published."""
    from transport.events import retries  # it sends through this module

    grace = settings.TRANSPORT_OUTBOX_SWEEP_GRACE_SECONDS if older_than_seconds is None else older_than_seconds
    total = 0
    while True:
        count = relay(older_than_seconds=grace, limit=batch)
        total += count
        if count < batch:
            break
    while retries.send_due(limit=batch) == batch:
        pass
    now = timezone.now()
    outbox_cutoff = now - timedelta(days=settings.TRANSPORT_OUTBOX_RETENTION_DAYS)
    OutboxMessage.objects.filter(published_at__lt=outbox_cutoff).delete()
    inbox_cutoff = now - timedelta(days=settings.TRANSPORT_INBOX_RETENTION_DAYS)
    InboxRecord.objects.filter(processed_at__lt=inbox_cutoff).delete()
    return total
