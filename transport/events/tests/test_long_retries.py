"""A retry whose backoff is longer than a broker may hold a message waits in the database, not in the
broker: on Redis a long countdown would come back after every visibility timeout and run early, again
and again. It runs once, when due (the sweep sends it), on either broker, with the shipped settings."""

from datetime import timedelta
from typing import Any

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from tests.probe import signals
from tests.probe.models import Effect
from tests.probe.signals import ProbeFlaky, ProbeHappened
from transport.events import publish, relay
from transport.events.models import InboxRecord, ScheduledRetry
from transport.testing.worker import wait_for, worker_process

HOUR = 3600


def publish_committed(signal, payload):
    with transaction.atomic():
        return publish(signal, payload)


def handled_everything_queued_before(name: str) -> None:
    """One worker, one process: once an event published now is handled, so is everything queued before it."""
    publish_committed(signals.probe_happened, ProbeHappened(name=name))
    wait_for(lambda: Effect.objects.filter(name=name).exists(), what=f"the sentinel {name}")


def nothing_left_in_the_broker(queue: str) -> tuple[int, int]:
    """Messages waiting in the queue, and (Redis) messages delivered but not acknowledged."""
    with current_app.connection_for_write() as connection:
        channel: Any = connection.channel()  # the transport's own channel class (redis or amqp)
        try:
            if connection.transport_cls == "redis":  # an empty queue is no key at all there
                return channel.client.llen(queue), channel.client.hlen("unacked")
            return channel.queue_declare(queue, passive=True).message_count, 0
        finally:
            channel.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_retry_with_a_long_backoff_waits_in_the_database_and_runs_once_when_due(
        tmp_path, each_broker, own_event_queue):
    env = {"CELERY_BROKER_URL": each_broker, "CELERY_QUEUE": own_event_queue,
           "TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS": str(HOUR)}
    with worker_process(extra_env=env, log_path=tmp_path / "worker.log"):
        before = timezone.now()
        event_id = publish_committed(signals.probe_flaky, ProbeFlaky(name="later"))
        wait_for(lambda: ScheduledRetry.objects.filter(event_id=event_id).exists(), what="the scheduled retry")
        after = timezone.now()
        Effect.objects.create(name="allow:later")  # the cause is mended, but the retry is not due yet

        assert relay.sweep(older_than_seconds=0) == 0
        handled_everything_queued_before("sentinel 1")

        retry = ScheduledRetry.objects.get()
        assert (retry.event_id, retry.handler, retry.attempts) == (
            event_id, "tests.probe.receivers.fail_until_allowed", 1)
        assert before + timedelta(seconds=HOUR) <= retry.due_at <= after + timedelta(seconds=HOUR)
        assert "RuntimeError: later is not allowed yet" in retry.last_error
        assert not Effect.objects.filter(name="later").exists()  # not run early
        assert nothing_left_in_the_broker(own_event_queue) == (0, 0)  # nothing that could come back early

        ScheduledRetry.objects.update(due_at=timezone.now())  # an hour later
        relay.sweep(older_than_seconds=0)
        wait_for(lambda: Effect.objects.filter(name="later").exists(), what="the retry once due")
        relay.sweep(older_than_seconds=0)
        handled_everything_queued_before("sentinel 2")

    assert list(Effect.objects.filter(name="later").values_list("event_id", flat=True)) == [event_id]
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1
    assert ScheduledRetry.objects.count() == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_retry_that_fails_again_is_scheduled_with_the_next_backoff(tmp_path, own_event_queue):
    env = {"CELERY_QUEUE": own_event_queue, "TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS": str(HOUR)}
    with worker_process(extra_env=env, log_path=tmp_path / "worker.log"):
        event_id = publish_committed(signals.probe_flaky, ProbeFlaky(name="still broken"))
        wait_for(lambda: ScheduledRetry.objects.filter(event_id=event_id).exists(), what="the first scheduled retry")
        ScheduledRetry.objects.update(due_at=timezone.now())

        relay.sweep(older_than_seconds=0)
        wait_for(lambda: ScheduledRetry.objects.filter(event_id=event_id, attempts=2).exists(),
                 what="the second scheduled retry")
        sent_at = timezone.now()

    retry = ScheduledRetry.objects.get()
    assert retry.attempts == 2
    assert retry.due_at <= sent_at + timedelta(seconds=2 * HOUR)
    assert retry.due_at > sent_at + timedelta(seconds=2 * HOUR - 60)
    assert not Effect.objects.filter(name="still broken").exists()
