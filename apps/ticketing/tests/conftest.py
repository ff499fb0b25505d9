"""Fixtures of ticketing's tests: real PostgreSQL and Redis; a coach company with a trip on sale two days ahead;
the M-Pesa emulator (payment's fixture) for the payments that go through it."""

from __future__ import annotations

import pytest

from tests.worlds.payment import mpesa_emulator, mpesa_emulator_server  # noqa: F401 (fixtures)
from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
