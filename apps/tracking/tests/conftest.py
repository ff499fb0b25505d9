"""Fixtures of tracking's tests: real PostgreSQL and Redis; a coach company with a bus, a trip, its rostered
driver's phone and a registered tracker app; a second company alike."""

from __future__ import annotations

import pytest

from apps.tracking.tests.fleet import Fleet, build_fleet


@pytest.fixture
def fleet(db) -> Fleet:
    return build_fleet()


@pytest.fixture
def other_fleet(db) -> Fleet:
    return build_fleet()
