"""Running a handler for an event: once per (event, handler), in the handler's own transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import connection, transaction

from transport.events import registry
from transport.events.models import DeadLetter
from transport.events.payloads import VERSION_HEADER
from transport.events.publishing import Event

_CLAIM_SQL = (
    "INSERT INTO transport_inboxrecord (event_id, handler, processed_at) VALUES (%s, %s, now()) "
    "ON CONFLICT (event_id, handler) DO NOTHING RETURNING id"
)


def apply_once(*, event_id: str, event: str, handler: str, payload: dict[str, Any], headers: dict[str, Any]) -> bool:
    """Run the handler unless it already ran for this event. Returns False for a duplicate.

    The inbox row and the handler's writes commit together or not at all: a crash or an exception
    leaves no trace, so the redelivered event runs again; a concurrent duplicate waits on the
    unique index and then finds the row.
    """
    func = registry.handler(handler)
    typed = registry.payload_type(event).from_json(payload, version=headers.get(VERSION_HEADER, 1))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [event_id, handler])
            if cursor.fetchone() is None:
                return False
        func(Event(id=UUID(event_id), name=event, payload=typed, headers=headers))
    return True


def dead_letter(*, event_id: str, event: str, handler: str, payload: dict[str, Any], headers: dict[str, Any],
                error: str, attempts: int) -> DeadLetter:
    return DeadLetter.objects.create(
        event_id=event_id, event=event, handler=handler, payload=payload, headers=headers,
        error=error[:10000], attempts=attempts,
    )
