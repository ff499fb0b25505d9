"""Fixes for tracking's tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from apps.tracking.fixes import Fix


def fix_at(fixed_at: datetime, *, company_id: UUID | None = None, bus_id: UUID | None = None,
           trip_id: UUID | None = None, latitude: float = -1.286389, longitude: float = 36.817223) -> Fix:
    return Fix(company_id=company_id or uuid4(), bus_id=bus_id or uuid4(), source=f"device:{uuid4()}",
               latitude=latitude, longitude=longitude, fixed_at=fixed_at, received_at=fixed_at + timedelta(seconds=2),
               trip_id=trip_id)
