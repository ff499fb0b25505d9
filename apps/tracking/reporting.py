"""Who may report a bus's positions and read them: a registered tracker app, the trip's assigned driver (their
device or their bearer token), the company's staff for the fleet map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from apps.company import api as company_api
from apps.tracking import live, trackers
from apps.tracking.ingest import PointOutcome, PositionReport, fixes_ingest
from apps.tracking.live import LiveBus
from apps.tracking.permissions import MANAGE_TRACKERS, VIEW_FLEET
from apps.tracking.progress.estimates import StopEstimate, trip_estimates
from transport.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from transport.principal import Principal, PrincipalKind


@dataclass(frozen=True)
class TripPosition:
    trip_id: UUID
    bus_id: UUID
    position: LiveBus | None  # None until its bus reports


def tracker_report(*, identifier: str, report: PositionReport) -> PointOutcome:
    """A tracker app's report, for the bus it is registered on and that bus's current trip.
    NotFound (and nothing recorded) for an unknown or inactive identifier."""
    tracker = trackers.active_tracker(identifier=identifier)
    if tracker is None:
        raise NotFound("No active tracker has this id.", code="tracker_not_found")
    trip_id = company_api.bus_current_trip_id(bus_id=tracker.bus_id)
    outcomes = fixes_ingest(company_id=tracker.company_id, bus_id=tracker.bus_id, trip_id=trip_id,
                            source=f"device:{tracker.pk}", reports=[report])
    return outcomes[0]


def _driver_source(principal: Principal) -> str:
    if principal.kind is PrincipalKind.DEVICE:
        return f"device:{principal.device_id}"
    return f"user:{principal.user_id}"


def driver_positions_report(*, principal: Principal, trip_id: UUID,
                            reports: Sequence[PositionReport]) -> list[PointOutcome]:
    """Positions the trip's assigned driver reports (live or buffered offline), for the trip's bus."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.trip_crew(trip_id=trip_id)
    if principal.kind not in (PrincipalKind.USER, PrincipalKind.DEVICE) or principal.user_id not in trip.driver_ids:
        if not principal.can_see_company(trip.company_id):
            raise NotFound("No such trip.")
        raise PermissionDenied("Only the trip's assigned driver reports its positions.", code="not_trip_driver")
    return fixes_ingest(company_id=trip.company_id, bus_id=trip.bus_id, trip_id=trip.trip_id,
                        source=_driver_source(principal), reports=reports)


def _sees_fleet(principal: Principal, company_id: UUID) -> bool:
    return principal.has(VIEW_FLEET, company_id=company_id) or principal.has(MANAGE_TRACKERS, company_id=company_id)


def _require_fleet_view(principal: Principal, company_id: UUID) -> None:
    if principal.has(VIEW_FLEET, company_id=company_id):
        return
    principal.require(MANAGE_TRACKERS, company_id=company_id)


def staff_company(*, principal: Principal, company_id: UUID | None) -> UUID:
    """The company a staff member asks about: the one given, else the only one where they may see the fleet."""
    if company_id is not None:
        return company_id
    if not principal.is_authenticated:
        raise NotAuthenticated()
    mine = sorted((company for company in principal.company_ids if _sees_fleet(principal, company)), key=str)
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise PermissionDenied(f"Missing permission {VIEW_FLEET}.", code="permission_denied")
    raise ValidationFailed("Say which company.", fields={"company_id": ["You are staff of several companies."]})


def fleet_nearby(*, principal: Principal, company_id: UUID | None, latitude: float, longitude: float,
                 radius_m: float) -> list[LiveBus]:
    """The company's buses near a point, nearest first. Needs tracking.view_fleet (or manage_trackers)."""
    company = staff_company(principal=principal, company_id=company_id)
    _require_fleet_view(principal, company)
    return live.nearby(company, latitude, longitude, radius_m)


def trip_position(*, principal: Principal, trip_id: UUID) -> TripPosition:
    """The last known position of a trip's bus, for the trip's company staff."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.get_trip(trip_id=trip_id)
    _require_fleet_view(principal, trip.company_id)
    return TripPosition(trip_id=trip.id, bus_id=trip.bus_id, position=live.bus_live(trip.bus_id))


@dataclass(frozen=True)
class TripEta:
    trip_id: UUID
    stops: tuple[StopEstimate, ...]


def trip_eta(*, principal: Principal, trip_id: UUID) -> TripEta:
    """A trip's expected times at its stops, for the trip's company staff."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.get_trip(trip_id=trip_id)
    _require_fleet_view(principal, trip.company_id)
    return TripEta(trip_id=trip.id, stops=trip_estimates(trip_id=trip.id))
