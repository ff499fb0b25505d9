"""A worker killed (SIGKILL) in the middle of a handler: the event is redelivered and applied once."""

import uuid

import pytest
from django.db import transaction

from tests.probe import signals
from tests.probe.models import Effect
from tests.probe.signals import ProbeHappened
from transport.events import publish
from transport.events.models import InboxRecord
from transport.testing.worker import delete_queues, kill_process_group, wait_for, worker_process

# redis brokers hand back unacknowledged messages after the visibility timeout; keep it short here
VISIBILITY = {"CELERY_VISIBILITY_TIMEOUT": "3"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_event_whose_worker_is_killed_mid_handler_is_redelivered_and_applied_once(tmp_path, settings, request):
    hang_file = tmp_path / "handler-started"
    log = tmp_path / "worker.log"
    # a queue of its own, so only the workers this test starts and kills can take the event
    queue = f"crash-{uuid.uuid4().hex[:8]}"
    settings.TRANSPORT_EVENT_QUEUE = queue
    request.addfinalizer(lambda: delete_queues({queue}))
    env = {**VISIBILITY, "CELERY_QUEUE": settings.TRANSPORT_EVENT_QUEUE}

    with worker_process(extra_env=env, log_path=log) as first:
        with transaction.atomic():
            event_id = publish(signals.probe_happened,
                               ProbeHappened(name="crash", hang_file=str(hang_file), hang_seconds=600))
        wait_for(hang_file.exists, what="the handler to start")
        kill_process_group(first)

    # the handler had written its effect, uncommitted: the crash took it back
    assert Effect.objects.filter(name="crash").count() == 0
    assert InboxRecord.objects.filter(event_id=event_id).count() == 0

    with worker_process(extra_env=env, log_path=log):
        wait_for(lambda: Effect.objects.filter(name="crash").exists(), within=120, what="the redelivered event")

    assert list(Effect.objects.filter(name="crash").values_list("event_id", flat=True)) == [event_id]
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1
