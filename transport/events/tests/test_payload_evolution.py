"""Events wait in the outbox across deploys: a row written in an earlier payload shape still reaches its
handler, typed (the evolution rule in transport/events/payloads.py)."""

import uuid

import pytest

from tests.probe.models import Effect
from tests.probe.signals import ProbeHappened, ProbeRenamed
from transport.events import PayloadMismatch, relay
from transport.events.delivery import apply_once
from transport.events.models import InboxRecord, OutboxMessage
from transport.testing.worker import wait_for


def old_row(event: str, payload: dict, headers: dict) -> OutboxMessage:
    return OutboxMessage.objects.create(event=event, payload=payload, headers=headers)


@pytest.mark.django_db(transaction=True)
def test_rows_in_earlier_payload_shapes_are_delivered_to_their_handlers_typed(worker):
    # written before hang_file and hang_seconds were added, and before rows carried a version
    before_fields = old_row("probe.probe_happened", {"name": "before new fields"}, {"request_id": None})
    # written by newer code, with a field this code does not know
    newer = old_row("probe.probe_happened", {"name": "from newer code", "priority": 3},
                    {"request_id": None, "payload_version": 1})
    # version 1 of an event now at version 2: "label" became "name", upcast on delivery
    version_one = old_row("probe.probe_renamed", {"label": "legacy"}, {"request_id": None})
    current = old_row("probe.probe_renamed", {"name": "current", "source": "web"},
                      {"request_id": None, "payload_version": 2})

    assert relay.sweep(older_than_seconds=0) == 4

    wait_for(lambda: Effect.objects.count() == 4, what="the four old-shape events")
    assert sorted(Effect.objects.values_list("name", "event_id")) == sorted([
        ("before new fields", before_fields.id), ("from newer code", newer.id),
        ("v1:legacy", version_one.id), ("web:current", current.id),
    ])


@pytest.mark.django_db
def test_an_old_row_decodes_to_the_current_payload_type_with_defaults_filled_in():
    assert ProbeHappened.from_json({"name": "old"}) == ProbeHappened(name="old", hang_file=None, hang_seconds=120)
    assert ProbeHappened.from_json({"name": "new", "priority": 3}) == ProbeHappened(name="new")
    assert ProbeRenamed.from_json({"label": "legacy"}, version=1) == ProbeRenamed(name="legacy", source="v1")
    assert ProbeRenamed.from_json({"name": "now", "source": "pos"}, version=2) == ProbeRenamed(name="now",
                                                                                               source="pos")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("event", "payload", "headers", "message"),
    [
        ("probe.probe_renamed", {"name": "x", "source": "y"}, {"payload_version": 3},
         "ProbeRenamed version 3 is newer than this code's 2"),
        ("probe.probe_happened", {"hang_seconds": 5}, {}, "missing 1 required keyword-only argument: 'name'"),
        ("probe.probe_happened", {"name": 7}, {}, "ProbeHappened.name must be str, got 7"),
    ],
    ids=["newer-version", "required-field-missing", "field-of-another-type"],
)
def test_a_row_that_breaks_the_evolution_rule_fails_and_applies_nothing(event, payload, headers, message):
    handler = "tests.probe.receivers.record_renamed" if event == "probe.probe_renamed" else \
        "tests.probe.receivers.record_effect"

    with pytest.raises(PayloadMismatch, match=message):
        apply_once(event_id=str(uuid.uuid4()), event=event, handler=handler, payload=payload, headers=headers)

    assert Effect.objects.count() == 0
    assert InboxRecord.objects.count() == 0
