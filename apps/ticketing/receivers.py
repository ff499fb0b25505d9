"""Ticketing's handlers of other apps' events, run by Celery at least once, applied once by the kernel."""

from __future__ import annotations

from uuid import UUID

from apps.company import signals as company_signals
from apps.ticketing.services import cancellation
from transport.events import Event, subscriber


@subscriber(company_signals.trip_cancelled)
def cancel_bookings_of_cancelled_trip(event: Event) -> None:
    cancellation.trip_bookings_cancel(trip_id=UUID(event.payload["trip_id"]), reason="trip_cancelled")
