"""Fixtures of tracking's tests: real PostgreSQL and Redis; a coach company (ticketing's test world) with a
trip, its bus and staff of every role, and a second company; the same as a fleet, with the trip's rostered
driver's phone and a tracker app registered on its bus."""

from __future__ import annotations

import pytest

from apps.tracking.tests.fleet import Fleet, build_fleet
from tests.worlds.ticketing import SalesWorld, build_sales_world


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
