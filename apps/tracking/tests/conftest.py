"""Fixtures of tracking's tests: real PostgreSQL and Redis; a coach company (ticketing's test world) with a
trip, its bus and staff of every role, and a second company."""

from __future__ import annotations

import pytest

from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
