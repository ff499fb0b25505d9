"""Project-wide pytest fixtures (real PostgreSQL, Redis and broker; see README, "Tests")."""

from collections.abc import Iterator

import pytest
from django.conf import settings

from transport import embedded
from transport.testing.worker import delete_queues


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the embedded PostgreSQL and Redis this run started (loading the settings starts them when no
    service URL is set), after the test database is gone. Servers that were running before the run, such as
    a `make run` in another terminal on the same ./var, are left running."""
    embedded.stop_servers_started_here()


@pytest.fixture(scope="session", autouse=True)
def _delete_this_runs_queues() -> Iterator[None]:
    """Each run has queues of its own on the shared broker (config/settings_test.py): remove them."""
    yield
    delete_queues({settings.CELERY_TASK_DEFAULT_QUEUE, settings.TRANSPORT_EVENT_QUEUE})
