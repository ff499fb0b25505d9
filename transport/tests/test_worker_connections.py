import pytest
from celery import shared_task
from django.db import connection

from tests.probe.models import Effect


@shared_task(name="transport.tests.count_effects")
def count_effects() -> int:
    return Effect.objects.count()


@pytest.mark.django_db
def test_a_task_run_in_place_keeps_the_callers_connection_and_transaction():
    Effect.objects.create(name="uncommitted")
    before = connection.connection

    assert count_effects.apply().get() == 1  # sees the caller's uncommitted row: same transaction

    assert connection.connection is before
    assert Effect.objects.count() == 1
