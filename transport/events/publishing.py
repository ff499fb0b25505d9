"""publish() writes the event into the outbox inside the sender's transaction; subscriber() declares
a handler. The relay (relay.py) takes it from there after commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, cast
from uuid import UUID

from django.db import transaction
from django.dispatch import Signal

from transport.events import registry
from transport.events.models import OutboxMessage
from transport.events.payloads import VERSION_HEADER, EventSignal, P, check
from transport.logging import request_id_var


@dataclass(frozen=True)
class Event(Generic[P]):
    """What a handler receives: the event's id (stable across redeliveries), name and typed payload."""

    id: UUID
    name: str
    payload: P
    headers: dict[str, Any] = field(default_factory=dict)


def publish(signal: EventSignal[P], payload: P, /) -> UUID:
    """Send a published signal; the kernel's receiver stores it in the outbox, in this transaction.

    Refuses (PayloadMismatch, a TypeError) a payload that is not the signal's payload type or whose
    fields do not hold their declared types; a missing or unknown field already fails in its constructor.
    """
    registry.signal_name(signal)  # refuses a signal that is not published
    responses = signal.send(sender=None, payload=payload)
    # Signal.send is typed for any receiver; write_outbox's answer is the event id
    return cast(UUID, next(response for receiver, response in responses if receiver is write_outbox))


def write_outbox(sender: Any, signal: Signal, *, payload: Any = None, **unexpected: Any) -> UUID:
    """Connected to every published signal: whoever sends it, the event becomes durable."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Publish events inside the transaction that makes the change they announce.")
    if unexpected:
        raise TypeError(f"Send a published signal with payload=<its payload>, not {sorted(unexpected)}.")
    payload_type = registry.payload_type(registry.signal_name(signal))
    check(payload, payload_type)
    data = payload.to_json()
    _require_json_safe(data)
    message = OutboxMessage.objects.create(
        event=registry.signal_name(signal),
        payload=data,
        headers={"request_id": request_id_var.get(), VERSION_HEADER: payload_type.VERSION},
    )
    from transport.events import relay  # relay imports Celery; only needed once something is published

    transaction.on_commit(partial(relay.relay_after_commit, message), robust=True)
    event_id: UUID = message.id
    return event_id


def subscriber(signal: EventSignal[P], *, name: str | None = None
               ) -> Callable[[Callable[[Event[P]], None]], Callable[[Event[P]], None]]:
    """Declare `func(event)` as a handler of `signal`, run by a Celery worker at least once, with
    its effect applied once: the kernel records (event id, handler) in the handler's transaction."""

    def decorate(func: Callable[[Event[P]], None]) -> Callable[[Event[P]], None]:
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
