"""publish() writes the event into the outbox inside the sender's transaction; subscriber() declares
a handler. The relay (relay.py) takes it from there after commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction
from django.dispatch import Signal

from transport.events import registry
from transport.events.models import OutboxMessage
from transport.logging import request_id_var


@dataclass(frozen=True)
class Event:
    """What a handler receives: the event's id (stable across redeliveries), name and payload."""

    id: UUID
    name: str
    payload: dict[str, Any]
    headers: dict[str, Any] = field(default_factory=dict)


def publish(signal: Signal, /, **payload: Any) -> UUID:
    """Send a published signal; the kernel's receiver stores it in the outbox, in this transaction."""
    registry.signal_name(signal)  # refuses a signal that is not published (write_outbox checks the payload)
    responses = signal.send(sender=None, **payload)
    # django-stubs types a receiver's answer as str | None; write_outbox's is the event id
    return next(event_id for receiver, event_id in responses if receiver is write_outbox)  # type: ignore[return-value]


def write_outbox(sender: Any, signal: Signal, **payload: Any) -> UUID:
    """Connected to every published signal: whoever sends it, the event becomes durable."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Publish events inside the transaction that makes the change they announce.")
    _require_json_safe(payload)
    message = OutboxMessage.objects.create(
        event=registry.signal_name(signal),
        payload=payload,
        headers={"request_id": request_id_var.get()},
    )
    from transport.events import relay  # relay imports Celery; only needed once something is published

    transaction.on_commit(partial(relay.relay_after_commit, message), robust=True)
    return message.id


def subscriber(
    signal: Signal, *, name: str | None = None
) -> Callable[[Callable[[Event], None]], Callable[[Event], None]]:
    """Declare `func(event)` as a handler of `signal`, run by a Celery worker at least once, with
    its effect applied once: the kernel records (event id, handler) in the handler's transaction."""

    def decorate(func: Callable[[Event], None]) -> Callable[[Event], None]:
        handler_name = name or f"{func.__module__}.{func.__qualname__}"
        registry.register_handler(registry.signal_name(signal), handler_name, func)
        return func

    return decorate


def _require_json_safe(payload: dict[str, Any]) -> None:
    try:
        round_trip = json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Event payloads hold JSON-safe primitives only: {exc}") from None
    if round_trip != payload:
        raise TypeError("Event payloads hold JSON-safe primitives only (no tuples, no non-string keys).")
