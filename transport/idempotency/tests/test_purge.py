"""The hourly purge deletes records past their retention, and only those."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from transport import tasks as kernel_tasks
from transport.idempotency.models import IdempotencyRecord
from transport.idempotency.tasks import purge_expired

pytestmark = pytest.mark.django_db


def make_record(key: str, *, expires_in: timedelta, state: str = IdempotencyRecord.DONE) -> IdempotencyRecord:
    now = timezone.now()
    return IdempotencyRecord.objects.create(
        scope="user:1 POST /bookings", key=key, request_hash="a" * 64, state=state,
        created_at=now + expires_in - timedelta(hours=24), expires_at=now + expires_in,
    )


def test_the_task_has_the_name_the_beat_schedule_uses_and_celery_finds_it():
    assert purge_expired.name == "transport.idempotency.purge_expired"
    assert kernel_tasks.purge_expired is purge_expired  # the worker imports <app>.tasks, here transport.tasks


def test_purge_deletes_expired_records_and_keeps_live_ones():
    make_record("done-expired", expires_in=-timedelta(minutes=1))
    make_record("running-expired", expires_in=-timedelta(hours=3), state=IdempotencyRecord.RUNNING)
    make_record("live", expires_in=timedelta(minutes=1))
    make_record("live-running", expires_in=timedelta(hours=23), state=IdempotencyRecord.RUNNING)

    purged = purge_expired()

    assert purged == 2
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live", "live-running"]


def test_purge_works_in_batches_of_one_delete_statement_each(django_assert_num_queries):
    for index in range(5):
        make_record(f"expired-{index}", expires_in=-timedelta(minutes=index + 1))
    make_record("live", expires_in=timedelta(hours=1))

    with django_assert_num_queries(3) as queries:
        purged = purge_expired.apply(kwargs={"batch_size": 2}).get()

    assert purged == 5
    assert all(query["sql"].startswith("DELETE FROM") for query in queries.captured_queries)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["live"]


def test_purge_with_nothing_expired_deletes_nothing():
    make_record("live", expires_in=timedelta(hours=1))

    purged = purge_expired()

    assert purged == 0
    assert IdempotencyRecord.objects.count() == 1
