"""Who may open which websocket, decided once when it connects, and what it is sent first. Synchronous (the
database and Redis are asked); the consumers run these off the event loop.

A refusal closes the websocket after accepting it, with a code a client can act on (a browser sees nothing
of a handshake refused with HTTP 403): 4400 a bad request, 4401 no or a bad credential, 4403 not allowed,
4404 no such trip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import api as ticketing_api
from apps.tracking import fanout, live, reporting
from apps.tracking.dispatch.services import dispatch_messages_delivered, dispatch_messages_pending, message_out
from apps.tracking.live import LiveBus
from apps.tracking.permissions import VIEW_FLEET
from apps.tracking.progress.estimates import estimates_of, estimates_out
from apps.tracking.progress.plan import trip_plan
from apps.tracking.progress.state import progress_read
from transport.errors import DomainError, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from transport.principal import Principal, PrincipalKind

CLOSE_CODES: dict[type[DomainError], int] = {ValidationFailed: 4400, NotAuthenticated: 4401,
                                             PermissionDenied: 4403, NotFound: 4404}


def close_code(error: DomainError) -> int:
    return next((code for kind, code in CLOSE_CODES.items() if isinstance(error, kind)), 4400)


@dataclass(frozen=True)
class Admission:
    groups: tuple[str, ...]  # the layer groups the connection joins
    scope_id: UUID  # the trip, the company or the driver it watches


def live_bus_out(bus: LiveBus) -> dict[str, Any]:
    """A bus's live position as watchers get it in a snapshot (the same fields as an update, less the time the
    server took it)."""
    return {"bus_id": str(bus.bus_id), "trip_id": str(bus.trip_id) if bus.trip_id else None, "lat": bus.latitude,
            "lon": bus.longitude, "speed_kmh": bus.speed_kmh, "heading": bus.heading,
            "fixed_at": fanout.iso(bus.fixed_at)}


def trip_watch_admit(*, principal: Principal, trip_id: UUID) -> Admission:
    """A trip's watchers: its company's staff who see the fleet, passengers holding a valid ticket on it, or anyone
    when the company makes its trips public."""
    trip = company_api.get_trip(trip_id=trip_id)
    if principal.has(VIEW_FLEET, company_id=trip.company_id) or \
            company_api.company_settings(company_id=trip.company_id).live_trips_public or \
            ticketing_api.trip_ticket_held(principal=principal, trip_id=trip_id):
        return Admission(groups=(fanout.trip_group(trip_id),), scope_id=trip_id)
    if not principal.is_authenticated:
        raise NotAuthenticated()
    raise PermissionDenied("Only the trip's ticket holders and its company's staff follow it.",
                           code="not_a_trip_watcher")


def trip_snapshot(*, trip_id: UUID) -> dict[str, Any]:
    """The trip's bus where it was last seen, and the trip's expected times at its stops as of now."""
    plan = trip_plan(trip_id)
    bus = live.bus_live(plan.bus_id)
    progress = progress_read(trip_id)
    estimates = estimates_of(plan, progress, now=timezone.now())
    # as of the last position progress evaluated: a later estimate is one computed from a later position
    as_of = fanout.iso(progress.position.at) if progress.position else None
    return {"type": "snapshot", "trip_id": str(trip_id), "buses": [live_bus_out(bus)] if bus else [],
            "eta_as_of": as_of, "eta": estimates_out(estimates)}


def fleet_watch_admit(*, principal: Principal, company_id: UUID | None) -> Admission:
    """A company's fleet: its staff who see the fleet (tracking.view_fleet)."""
    company = reporting.staff_company(principal=principal, company_id=company_id)
    principal.require(VIEW_FLEET, company_id=company)
    return Admission(groups=(fanout.fleet_group(company),), scope_id=company)


def fleet_snapshot(*, company_id: UUID) -> dict[str, Any]:
    return {"type": "snapshot", "company_id": str(company_id),
            "buses": [live_bus_out(bus) for bus in live.company_buses(company_id)]}


def driver_stream_admit(*, principal: Principal) -> Admission:
    """A driver's own stream: a person (their token or their device) who drives for some company."""
    if principal.kind not in (PrincipalKind.USER, PrincipalKind.DEVICE) or principal.user_id is None:
        raise NotAuthenticated()
    if not principal.has(company_api.DRIVES_TRIPS):
        raise PermissionDenied("Only drivers have a driver's stream.", code="not_a_driver")
    return Admission(groups=(fanout.driver_group(principal.user_id),), scope_id=principal.user_id)


def driver_pending_messages(*, driver_id: UUID) -> list[dict[str, Any]]:
    """The driver's unacknowledged dispatch messages, counted as delivered once more."""
    pending = dispatch_messages_pending(driver_id=driver_id)
    dispatch_messages_delivered(message_ids=[message.id for message in pending])
    return [message_out(message) for message in pending]
