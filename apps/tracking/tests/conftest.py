"""Fixtures of tracking's tests: real PostgreSQL and Redis; a coach company (ticketing's test world) with a
trip, its bus and staff of every role, and a second company; the same as a fleet, with the trip's rostered
driver's phone and a tracker app registered on its bus."""

from __future__ import annotations

import shutil

import pytest

from apps.tracking.tests.fleet import Fleet, build_fleet
from tests.worlds.ticketing import SalesWorld, build_sales_world
from transport import embedded


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def fleet(db) -> Fleet:
    return build_fleet()


@pytest.fixture
def other_fleet(db) -> Fleet:
    return build_fleet()


@pytest.fixture
def own_redis(tmp_path, settings):
    """A Redis server of this test's own (the shared one must not be stopped), and a way to restart it empty."""
    folder = tmp_path / "redis"
    settings.REDIS_URL = embedded.redis_url(folder)

    def stop() -> None:
        embedded.stop_redis(folder)

    def start_empty() -> None:
        shutil.rmtree(folder)  # what it saved goes too: a restart that lost everything, as in a container
        assert embedded.redis_url(folder) == settings.REDIS_URL

    yield stop, start_empty
    embedded.stop_redis(folder)
