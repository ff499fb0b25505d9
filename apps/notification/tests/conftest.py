"""Fixtures of notification's tests: real PostgreSQL and Redis; the sales world (a coach company with a trip on
sale two days ahead, its staff and passengers), a second company, and the SMS gateways' emulators."""

from __future__ import annotations

import pytest

from apps.notification.tests.sms_emulators import *  # noqa: F403  (the SMS gateways' emulators)
from tests.worlds.ticketing import SalesWorld, build_sales_world


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def other_world(db) -> SalesWorld:
    return build_sales_world()
