"""A real Celery worker process on the real broker, and ways to make the broker unreachable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from celery import current_app
from django.conf import settings

from transport.events import relay
from transport.testing.worker import delete_queues, wait_for, worker_process

# the worker gives up on a handler after 3 attempts, retrying at once, so tests see dead letters soon
WORKER_ENV = {"TRANSPORT_EVENT_MAX_ATTEMPTS": "3", "TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS": "0"}


def point_broker_at(url: str) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration
    os.environ["CELERY_BROKER_URL"] = url
    current_app.conf.broker_url = url  # type: ignore[misc]  # celery-types says read-only; Celery accepts it
    current_app._after_fork()  # type: ignore[attr-defined]  # drop pooled connections to the previous broker


def redis_broker_url() -> str:
    """A Redis broker beside this run's Redis: its database number + 8, so it shares no keys with the cache."""
    parsed = urlparse(settings.REDIS_URL)
    if parsed.scheme == "unix":  # the embedded Redis listens on a socket, its database named in the query
        database = int(parse_qs(parsed.query).get("db", ["0"])[0])
        return f"redis+socket://{parsed.path}?virtual_host={database + 8}"
    database = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{database + 8}").geturl()


@pytest.fixture(params=["redis", "rabbitmq"])
def each_broker(request, broker) -> str:
    """Runs the test on a Redis broker and on RabbitMQ (where this run has one), this process publishing there."""
    if request.param == "redis":
        url = redis_broker_url()
    elif urlparse(settings.CELERY_BROKER_URL).scheme.startswith("amqp"):
        url = settings.CELERY_BROKER_URL
    else:
        pytest.skip("no RabbitMQ here: set CELERY_BROKER_URL=amqp://... to run this on it too")
    broker(url)
    return url


@pytest.fixture
def own_event_queue(settings, request) -> str:
    """A queue of the test's own, so only the workers it starts (and kills) take its events."""
    queue = f"own-{uuid.uuid4().hex[:8]}"
    settings.TRANSPORT_EVENT_QUEUE = queue
    request.addfinalizer(lambda: delete_queues({queue}))
    return queue


def unreachable_broker_url() -> str:
    scheme = urlparse(settings.CELERY_BROKER_URL).scheme
    return "amqp://guest:guest@127.0.0.1:1//" if scheme.startswith("amqp") else "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _closed_breaker() -> Iterator[None]:
    relay.breaker.reset()
    yield
    relay.breaker.reset()


@pytest.fixture
def broker() -> Iterator[Callable[[str], None]]:
    """Lets a test point this process (the publisher) at another broker; restores the real one."""
    real = current_app.conf.broker_url
    real_env = os.environ.get("CELERY_BROKER_URL")
    yield point_broker_at
    point_broker_at(real)
    if real_env is None:
        os.environ.pop("CELERY_BROKER_URL", None)


@pytest.fixture(scope="session")
def worker_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker") / "worker.log"


# package scope: the worker stops once these tests are done. Left running for the whole session it would
# consume the run's event queue and apply other apps' handlers to their transactional tests' rows meanwhile
@pytest.fixture(scope="package")
def session_worker(django_db_setup, django_db_blocker, worker_log) -> Iterator[object]:
    with django_db_blocker.unblock(), worker_process(extra_env=WORKER_ENV, log_path=worker_log) as process:
        wait_for(lambda: b"ready." in worker_log.read_bytes(), what="the worker to start")
        yield process


@pytest.fixture
def worker(session_worker, transactional_db) -> object:
    assert session_worker.poll() is None, "the test worker died"
    return session_worker
