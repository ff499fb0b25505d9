"""Project-wide pytest fixtures (real PostgreSQL, Redis and broker; see README, "Tests")."""

from collections.abc import Iterator

import pytest
from django.conf import settings

from transport.testing.worker import delete_queues


@pytest.fixture(scope="session", autouse=True)
def _delete_this_runs_queues() -> Iterator[None]:
    """Each run has queues of its own on the shared broker (config/settings_test.py): remove them."""
    yield
    delete_queues({settings.CELERY_TASK_DEFAULT_QUEUE, settings.TRANSPORT_EVENT_QUEUE})
