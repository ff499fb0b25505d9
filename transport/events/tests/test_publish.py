import uuid

import pytest
from django.db import transaction
from django.dispatch import Signal

from tests.probe import signals
from transport.events import publish
from transport.events.models import OutboxMessage


@pytest.mark.django_db
def test_publish_writes_the_event_into_the_outbox_of_the_senders_transaction():
    with transaction.atomic():
        event_id = publish(signals.probe_happened, name="booked")

    row = OutboxMessage.objects.get()
    assert row.id == event_id
    assert row.event == "probe.probe_happened"
    assert row.payload == {"name": "booked"}
    assert row.published_at is None  # relayed after commit, which a test transaction never reaches


@pytest.mark.django_db
def test_an_event_of_a_rolled_back_transaction_is_never_stored():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        publish(signals.probe_happened, name="booked")
        raise Abort

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_plain_send_of_a_published_signal_is_made_durable_too():
    with transaction.atomic():
        signals.probe_happened.send(sender=None, name="sent directly")

    assert list(OutboxMessage.objects.values_list("payload", flat=True)) == [{"name": "sent directly"}]


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        publish(signals.probe_happened, name="loose")

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [{"booking_id": uuid.uuid4()}, {"seats": (1, 2)}, {"amount": float("nan")}, {"when": object()}],
    ids=["uuid-object", "tuple", "nan", "object"],
)
def test_payloads_that_do_not_round_trip_through_json_are_refused(payload):
    with pytest.raises(TypeError, match="JSON-safe"), transaction.atomic():
        publish(signals.probe_happened, **payload)

    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_signal_outside_an_apps_signals_module_cannot_be_published():
    with pytest.raises(LookupError), transaction.atomic():
        publish(Signal(), name="nowhere")

    assert OutboxMessage.objects.count() == 0
