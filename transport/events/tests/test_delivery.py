import threading
import uuid

import pytest
from django.conf import settings
from django.db import connection, transaction

from tests.probe import signals
from tests.probe.models import Effect
from tests.probe.signals import ProbeHappened, ProbeUnheard
from transport.events import publish, relay
from transport.events.delivery import apply_once
from transport.events.models import InboxRecord, OutboxMessage
from transport.events.tests.conftest import unreachable_broker_url
from transport.testing.threads import barrier as bounded_barrier
from transport.testing.threads import run_threads
from transport.testing.worker import wait_for

HANDLER = "tests.probe.receivers.record_effect"


def publish_committed(signal, payload) -> uuid.UUID:
    with transaction.atomic():
        return publish(signal, payload)


@pytest.mark.django_db(transaction=True)
def test_a_committed_event_reaches_its_handler_through_the_broker(worker):
    event_id = publish_committed(signals.probe_happened, ProbeHappened(name="sold"))

    wait_for(lambda: Effect.objects.filter(name="sold").exists(), what="the handler's effect")
    assert list(Effect.objects.values_list("name", "event_id")) == [("sold", event_id)]
    assert OutboxMessage.objects.get(id=event_id).published_at is not None
    assert InboxRecord.objects.filter(event_id=event_id, handler=HANDLER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_delivered_twice_has_one_effect(worker):
    event_id = publish_committed(signals.probe_happened, ProbeHappened(name="once"))
    wait_for(lambda: Effect.objects.filter(name="once").exists(), what="first delivery")

    # as after a crash between handing the event to the broker and marking it published
    OutboxMessage.objects.filter(id=event_id).update(published_at=None)
    assert relay.relay(ids=[event_id]) == 1
    publish_committed(signals.probe_happened, ProbeHappened(name="sentinel"))  # one queue, one worker: handled after
    wait_for(lambda: Effect.objects.filter(name="sentinel").exists(), what="the sentinel behind the duplicate")

    assert Effect.objects.filter(name="once").count() == 1
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_apply_once():
    event_id = str(uuid.uuid4())
    barrier = bounded_barrier(8)
    outcomes: list[bool] = []

    def deliver_copy() -> None:
        barrier.wait()
        try:
            outcomes.append(apply_once(event_id=event_id, event="probe.probe_happened", handler=HANDLER,
                                       payload={"name": "raced"}, headers={}))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_copy) for _ in range(8)]
    run_threads(threads)

    assert sorted(outcomes) == [False] * 7 + [True]
    assert Effect.objects.filter(name="raced").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_fails_leaves_no_inbox_record_so_a_retry_runs_it_again():
    event_id = str(uuid.uuid4())
    payload = {"name": "later"}

    with pytest.raises(RuntimeError, match="not allowed yet"):
        apply_once(event_id=event_id, event="probe.probe_flaky", handler="tests.probe.receivers.fail_until_allowed",
                   payload=payload, headers={})
    assert InboxRecord.objects.count() == 0

    Effect.objects.create(name="allow:later")
    assert apply_once(event_id=event_id, event="probe.probe_flaky",
                      handler="tests.probe.receivers.fail_until_allowed", payload=payload, headers={})
    assert Effect.objects.filter(name="later").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_published_while_the_broker_is_unreachable_is_delivered_once_it_returns(worker, broker):
    real_broker = settings.CELERY_BROKER_URL
    broker(unreachable_broker_url())

    event_id = publish_committed(signals.probe_happened, ProbeHappened(name="during outage"))

    row = OutboxMessage.objects.get(id=event_id)
    assert row.published_at is None
    assert row.attempts == 1
    assert row.last_error != ""
    assert relay.breaker.is_open()
    assert relay.sweep(older_than_seconds=0) == 0  # still down: the sweep publishes nothing, loses nothing
    assert OutboxMessage.objects.get(id=event_id).published_at is None

    broker(real_broker)
    assert relay.sweep(older_than_seconds=0) == 1

    wait_for(lambda: Effect.objects.filter(name="during outage").exists(), what="delivery after the outage")
    assert Effect.objects.filter(name="during outage").count() == 1
    assert OutboxMessage.objects.get(id=event_id).published_at is not None


@pytest.mark.django_db(transaction=True)
def test_while_the_breaker_is_open_requests_do_not_wait_for_the_broker_and_the_sweep_catches_up(worker):
    relay.breaker.trip()

    event_id = publish_committed(signals.probe_happened, ProbeHappened(name="queued"))

    assert OutboxMessage.objects.get(id=event_id).published_at is None
    assert relay.sweep(older_than_seconds=0) == 1
    wait_for(lambda: Effect.objects.filter(name="queued").exists(), what="delivery by the sweep")


@pytest.mark.django_db(transaction=True)
def test_an_event_nobody_subscribes_to_is_marked_published_without_messages():
    event_id = publish_committed(signals.probe_unheard, ProbeUnheard(note="nobody listens"))

    assert OutboxMessage.objects.get(id=event_id).published_at is not None


@pytest.mark.django_db(transaction=True)
def test_while_the_relay_is_held_committed_events_stay_in_the_outbox_and_after_it_they_are_published():
    with relay.relay_held():
        held = publish_committed(signals.probe_unheard, ProbeUnheard(note="held"))
    after = publish_committed(signals.probe_unheard, ProbeUnheard(note="after"))

    assert OutboxMessage.objects.get(id=held).published_at is None
    assert OutboxMessage.objects.get(id=after).published_at is not None
