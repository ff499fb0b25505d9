"""Fixtures of notification's tests: real PostgreSQL and Redis; the sales world (a coach company with a trip on
sale two days ahead, its staff and passengers) and a second company."""

from __future__ import annotations

import pytest

from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
