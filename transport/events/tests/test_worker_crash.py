"""A worker killed (SIGKILL) in the middle of a handler: the event is redelivered and applied once, on either
broker, with the shipped settings (no shortened visibility timeout)."""

import time

import pytest
from django.db import transaction

from tests.probe import signals
from tests.probe.models import Effect
from tests.probe.signals import ProbeHappened
from transport.events import publish
from transport.events.models import InboxRecord
from transport.testing.worker import kill_process_group, wait_for, worker_process


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_event_whose_worker_is_killed_mid_handler_is_redelivered_and_applied_once(
        tmp_path, each_broker, own_event_queue):
    hang_file = tmp_path / "handler-started"
    log = tmp_path / "worker.log"
    env = {"CELERY_BROKER_URL": each_broker, "CELERY_QUEUE": own_event_queue}

    with worker_process(extra_env=env, log_path=log) as first:
        with transaction.atomic():
            event_id = publish(signals.probe_happened,
                               ProbeHappened(name="crash", hang_file=str(hang_file), hang_seconds=600))
        wait_for(hang_file.exists, what="the handler to start")
        kill_process_group(first)
        killed_at = time.monotonic()

    # the handler had written its effect, uncommitted: the crash took it back
    assert Effect.objects.filter(name="crash").count() == 0
    assert InboxRecord.objects.filter(event_id=event_id).count() == 0

    with worker_process(extra_env=env, log_path=log):
        # a liveness bound far above the promise (about a minute), so a slow machine does not fail the test
        wait_for(lambda: Effect.objects.filter(name="crash").exists(), within=300, what="the redelivered event")
        print(f"\n{each_broker.split(':')[0]}: redelivered and applied {time.monotonic() - killed_at:.1f} s "
              "after the worker was killed")

    assert list(Effect.objects.filter(name="crash").values_list("event_id", flat=True)) == [event_id]
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1
