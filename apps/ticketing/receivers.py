"""Ticketing's handlers of other apps' events, run by Celery at least once, applied once by the kernel."""

from __future__ import annotations

from uuid import UUID

from apps.company import api as company_api
from apps.company import signals as company_signals
from apps.ticketing.pos.services import allotments
from apps.ticketing.sales.services import cancellation, reseating
from transport.events import Event, subscriber


@subscriber(company_signals.trip_cancelled)
def cancel_bookings_of_cancelled_trip(event: Event[company_signals.TripCancelled]) -> None:
    trip_id = UUID(event.payload.trip_id)
    cancellation.trip_bookings_cancel(trip_id=trip_id, reason="trip_cancelled")
    allotments.trip_allotments_release(trip_id=trip_id)


@subscriber(company_signals.trip_bus_changed)
def reseat_passengers_of_swapped_bus(event: Event[company_signals.TripBusChanged]) -> None:
    # the layout the trip runs with now, not the event's: swaps handled out of order still end on the last bus
    reseating.trip_reseat(trip=company_api.get_trip(trip_id=UUID(event.payload.trip_id)))
