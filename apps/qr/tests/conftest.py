"""Fixtures of qr's tests: real PostgreSQL; the process-wide key ring starts empty in every test.

Each test's writes roll back, but the ring would remember the keys it saw for QR_KEY_REFRESH_SECONDS:
resetting it around every test keeps one test's keys out of the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from apps.qr import api
from apps.qr.keyring import reset_ring


@pytest.fixture(autouse=True)
def _fresh_ring() -> Iterator[None]:
    reset_ring()
    yield
    reset_ring()


@pytest.fixture
def claims() -> dict:
    """Keyword arguments of ticket_code_sign for a ticket valid for a day."""
    return {
        "company_id": uuid4(),
        "ticket_id": uuid4(),
        "trip_id": uuid4(),
        "seat_label": "12A",
        "from_sequence": 2,
        "to_sequence": 7,
        "valid_until": datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
    }


@pytest.fixture
def code(db, claims) -> str:
    return api.ticket_code_sign(**claims)
