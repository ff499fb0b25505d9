"""Fixtures of ticketing's tests: real PostgreSQL and Redis; a coach company with a trip on sale two days ahead."""

from __future__ import annotations

import pytest

from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
