"""Every published event's payload survives the trip through JSON (outbox row, broker message) unchanged."""

import json
import types
from dataclasses import fields
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from transport.events import EventPayload, registry

EXAMPLES: dict[Any, Any] = {str: "Nairobi → Kisumu", int: 2**53, float: 0.5, bool: True}


def example_value(hint: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return example_value(next(arg for arg in get_args(hint) if arg is not type(None)))
    if origin is list:
        return [example_value(get_args(hint)[0]), example_value(get_args(hint)[0])]
    if origin is dict:
        return {"key": example_value(get_args(hint)[1])}
    return EXAMPLES[hint]


def example(payload_type: type[EventPayload]) -> EventPayload:
    hints = get_type_hints(payload_type)
    return payload_type(**{field.name: example_value(hints[field.name]) for field in fields(payload_type)})


def test_every_published_event_is_registered_with_a_payload_type():
    assert sorted(registry.published_events()) == [
        "company.trip_arrived", "company.trip_boarding", "company.trip_bus_changed", "company.trip_cancelled",
        "company.trip_delayed", "company.trip_departed", "company.trip_stop_arrived", "company.trip_stop_departed",
        "identity.password_reset_requested", "identity.staff_invited",
        "payment.payment_failed", "payment.payment_succeeded", "payment.refund_completed", "payment.refund_failed",
        "probe.probe_flaky", "probe.probe_happened", "probe.probe_renamed", "probe.probe_unheard",
        "ticketing.booking_refund_required", "ticketing.ticket_boarded", "ticketing.ticket_cancelled",
        "ticketing.ticket_confirmed", "ticketing.ticket_seat_changed",
    ]


@pytest.mark.parametrize("event", sorted(registry.published_events()))
def test_a_payload_round_trips_through_json(event):
    payload_type = registry.published_events()[event]
    payload = example(payload_type)

    wire = json.loads(json.dumps(payload.to_json(), allow_nan=False))

    assert payload_type.from_json(wire, version=payload_type.VERSION) == payload
