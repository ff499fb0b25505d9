import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.dispatch import Signal

from tests.probe import signals
from tests.probe.signals import ProbeFlaky, ProbeHappened, ProbeUnheard
from transport.events import EventPayload, EventSignal, PayloadMismatch, publish
from transport.events.models import OutboxMessage


@pytest.mark.django_db
def test_publish_writes_the_typed_payload_into_the_outbox_of_the_senders_transaction():
    with transaction.atomic():
        event_id = publish(signals.probe_happened, ProbeHappened(name="booked"))

    row = OutboxMessage.objects.get()
    assert row.id == event_id
    assert row.event == "probe.probe_happened"
    assert row.payload == {"name": "booked", "hang_file": None, "hang_seconds": 120}
    assert row.headers == {"request_id": None, "payload_version": 1}
    assert row.published_at is None  # relayed after commit, which a test transaction never reaches


@pytest.mark.django_db
def test_an_event_of_a_rolled_back_transaction_is_never_stored():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        publish(signals.probe_happened, ProbeHappened(name="booked"))
        raise Abort

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_plain_send_of_a_published_signal_is_made_durable_too():
    with transaction.atomic():
        signals.probe_happened.send(sender=None, payload=ProbeHappened(name="sent directly"))

    assert list(OutboxMessage.objects.values_list("payload", flat=True)) == [
        {"name": "sent directly", "hang_file": None, "hang_seconds": 120}]


@pytest.mark.django_db
def test_a_plain_send_with_loose_keywords_instead_of_a_payload_is_refused():
    with pytest.raises(TypeError, match=r"payload=<its payload>, not \['name'\]"), transaction.atomic():
        signals.probe_happened.send(sender=None, name="loose keys")

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        publish(signals.probe_happened, ProbeHappened(name="loose"))

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (ProbeFlaky(name="x"), "Expected a ProbeHappened payload, got ProbeFlaky"),
        ({"name": "x"}, "Expected a ProbeHappened payload, got dict"),
        (None, "Expected a ProbeHappened payload, got NoneType"),
    ],
    ids=["another-events-payload", "dict", "none"],
)
def test_a_payload_of_another_type_is_refused(payload, message):
    with pytest.raises(PayloadMismatch, match=message), transaction.atomic():
        publish(signals.probe_happened, payload)

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": uuid.UUID(int=1)}, "ProbeHappened.name must be str, got UUID"),
        ({"name": ("a", "b")}, r"ProbeHappened.name must be str, got \('a', 'b'\)"),
        ({"name": "x", "hang_seconds": float("nan")}, "ProbeHappened.hang_seconds must be int, got nan"),
        ({"name": "x", "hang_seconds": True}, "ProbeHappened.hang_seconds must be int, got True"),
        ({"name": None}, "ProbeHappened.name must be str, got None"),
        ({"name": "x", "hang_file": object()}, "ProbeHappened.hang_file must be str | None, got <object"),
    ],
    ids=["uuid-object", "tuple", "nan", "bool-for-int", "none-for-str", "object"],
)
def test_a_field_that_does_not_hold_its_declared_json_safe_type_is_refused(fields, message):
    with pytest.raises(PayloadMismatch, match=message), transaction.atomic():
        publish(signals.probe_happened, ProbeHappened(**fields))

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [({}, "missing 1 required keyword-only argument: 'name'"),
     ({"name": "x", "nmae": "y"}, "unexpected keyword argument 'nmae'")],
    ids=["missing", "unknown"],
)
def test_a_payload_with_a_missing_or_unknown_field_cannot_even_be_built(fields, message):
    with pytest.raises(TypeError, match=message), transaction.atomic():
        publish(signals.probe_happened, ProbeHappened(**fields))

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_signal_outside_an_apps_signals_module_cannot_be_published():
    with pytest.raises(LookupError), transaction.atomic():
        publish(EventSignal(ProbeUnheard), ProbeUnheard(note="nowhere"))
    with pytest.raises(LookupError), transaction.atomic():
        publish(Signal(), ProbeUnheard(note="nowhere"))

    assert OutboxMessage.objects.count() == 0


def test_a_payload_class_with_a_field_json_does_not_carry_back_is_refused_at_declaration():
    @dataclass(frozen=True, kw_only=True)
    class Booked(EventPayload):
        booking_id: uuid.UUID

    with pytest.raises(TypeError, match="Booked.booking_id: UUID is not a JSON-safe type"):
        EventSignal(Booked)


def test_a_payload_class_that_is_not_a_dataclass_of_its_own_is_refused_at_declaration():
    class Loose(EventPayload):
        name: str

    with pytest.raises(TypeError, match="Loose must be a frozen dataclass"):
        EventSignal(Loose)


def test_a_payload_class_at_a_new_version_without_an_upcaster_is_refused_at_declaration():
    @dataclass(frozen=True, kw_only=True)
    class Renamed(EventPayload):
        VERSION = 2
        name: str

    with pytest.raises(TypeError, match=r"Renamed is at version 2 but has no upcaster from version\(s\) \[1\]"):
        EventSignal(Renamed)
