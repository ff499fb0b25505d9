"""Fixtures of ticketing's tests: real PostgreSQL and Redis; a coach company with a trip on sale two days ahead;
the M-Pesa and PayPal emulators (payment's fixtures) for the payments that go through it."""

from __future__ import annotations

import pytest

from tests.worlds.booking_payments import (  # noqa: F401 (fixtures)
    mpesa_emulator,
    mpesa_emulator_server,
    paypal_emulator,
    paypal_emulator_server,
)
from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
