import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.probe import signals
from tests.probe.models import Effect
from tests.probe.signals import ProbeFlaky
from transport.events import publish, relay
from transport.events.models import DeadLetter, InboxRecord, OutboxMessage, ScheduledRetry
from transport.events.tasks import replay_dead_letter
from transport.testing.worker import wait_for

FLAKY = "tests.probe.receivers.fail_until_allowed"


@pytest.mark.django_db(transaction=True)
def test_a_handler_failing_every_attempt_ends_as_a_dead_letter_with_nothing_applied(worker):
    with transaction.atomic():
        event_id = publish(signals.probe_flaky, ProbeFlaky(name="refund"))

    wait_for(lambda: DeadLetter.objects.filter(event_id=event_id).exists(), what="the dead letter")
    letter = DeadLetter.objects.get(event_id=event_id)
    assert (letter.event, letter.handler, letter.payload, letter.attempts) == (
        "probe.probe_flaky", FLAKY, {"name": "refund"}, 3)
    assert "RuntimeError: refund is not allowed yet" in letter.error
    assert letter.replayed_at is None
    assert not Effect.objects.filter(name="refund").exists()
    assert not InboxRecord.objects.filter(event_id=event_id).exists()


@pytest.mark.django_db(transaction=True)
def test_a_dead_letter_replayed_from_the_admin_is_applied_once(worker, admin_client):
    with transaction.atomic():
        event_id = publish(signals.probe_flaky, ProbeFlaky(name="refund"))
    wait_for(lambda: DeadLetter.objects.filter(event_id=event_id).exists(), what="the dead letter")
    letter = DeadLetter.objects.get(event_id=event_id)
    Effect.objects.create(name="allow:refund")  # the cause is mended

    response = admin_client.post(
        "/admin/transport/deadletter/",
        {"action": "replay", "_selected_action": [letter.id]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Replayed 1 event(s)." in response.content.decode()
    wait_for(lambda: Effect.objects.filter(name="refund").exists(), what="the replayed handler's effect")
    assert Effect.objects.filter(name="refund").count() == 1
    letter.refresh_from_db()
    assert letter.replayed_at is not None
    assert replay_dead_letter(letter.id) is False  # a second replay of the same letter does nothing


@pytest.mark.django_db
def test_dead_letters_are_listed_in_the_admin(admin_client):
    DeadLetter.objects.create(event_id="3f1a0a52-5f3e-4f57-9a59-4a43f7b2f1c1", event="probe.probe_flaky",
                              handler=FLAKY, payload={"name": "x"}, error="RuntimeError: boom", attempts=3)

    response = admin_client.get("/admin/transport/deadletter/")

    assert response.status_code == 200
    assert FLAKY in response.content.decode()


@pytest.mark.django_db
def test_scheduled_retries_are_listed_in_the_admin(admin_client):
    ScheduledRetry.objects.create(event_id="3f1a0a52-5f3e-4f57-9a59-4a43f7b2f1c1", event="probe.probe_flaky",
                                  handler=FLAKY, payload={"name": "x"}, attempts=3, due_at=timezone.now(),
                                  last_error="RuntimeError: boom")

    response = admin_client.get("/admin/transport/scheduledretry/")

    assert response.status_code == 200
    assert FLAKY in response.content.decode()


@pytest.mark.django_db
def test_the_sweep_prunes_rows_published_before_the_retention_period(settings):
    settings.TRANSPORT_OUTBOX_RETENTION_DAYS = 7
    old = OutboxMessage.objects.create(event="probe.probe_unheard", payload={},
                                       published_at=timezone.now() - timezone.timedelta(days=8))
    recent = OutboxMessage.objects.create(event="probe.probe_unheard", payload={},
                                          published_at=timezone.now() - timezone.timedelta(days=6))
    pending = OutboxMessage.objects.create(event="probe.probe_unheard", payload={})
    OutboxMessage.objects.filter(id=pending.id).update(created_at=timezone.now() - timezone.timedelta(days=30))

    published = relay.sweep(older_than_seconds=0)

    assert published == 1  # the pending one, however old, is published, never pruned
    assert set(OutboxMessage.objects.values_list("id", flat=True)) == {recent.id, pending.id}
    assert not OutboxMessage.objects.filter(id=old.id).exists()


@pytest.mark.django_db
def test_the_sweep_prunes_inbox_rows_older_than_their_retention(settings):
    settings.TRANSPORT_INBOX_RETENTION_DAYS = 14
    old = InboxRecord.objects.create(event_id=uuid.uuid4(), handler=FLAKY)
    recent = InboxRecord.objects.create(event_id=uuid.uuid4(), handler=FLAKY)
    InboxRecord.objects.filter(id=old.id).update(processed_at=timezone.now() - timezone.timedelta(days=15))
    InboxRecord.objects.filter(id=recent.id).update(processed_at=timezone.now() - timezone.timedelta(days=13))

    relay.sweep(older_than_seconds=0)

    assert list(InboxRecord.objects.values_list("id", flat=True)) == [recent.id]


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "column", "index"), [
    ("transport_inboxrecord", "processed_at", "inbox_processed_idx"),
    ("transport_outboxmessage", "published_at", "outbox_published_idx"),
])
def test_the_prunes_are_range_scans_of_an_index(table, column, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask what a large one would do
        cursor.execute(f"EXPLAIN DELETE FROM {table} WHERE {column} < now() - interval '7 days'")  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan, plan
