"""Ticketing's access rules, read-only and shared by its reads and writes: who may see or act on a booking,
whose device may board a trip, which device sells. Each raises the problem the caller answers with."""

from __future__ import annotations

from uuid import UUID

from apps.company import api as company_api
from apps.ticketing import policy
from apps.ticketing.models import Booking
from apps.ticketing.permissions import BOARD_PASSENGERS, SELL_POS, VIEW_BOOKINGS
from transport.errors import NotAuthenticated, PermissionDenied
from transport.principal import Principal, PrincipalKind


def is_holder(principal: Principal, booking: Booking) -> bool:
    if booking.holder == policy.holder_key(principal):
        return True
    return principal.user_id is not None and booking.created_by_user_id == principal.user_id


def may_see(principal: Principal, booking: Booking) -> bool:
    return is_holder(principal, booking) or principal.has(VIEW_BOOKINGS, company_id=booking.company_id)


def require_holder_or(principal: Principal, booking: Booking, permission: str) -> None:
    """The booking's own holder may act on it; anyone else needs `permission` in its company."""
    if not is_holder(principal, booking):
        principal.require(permission, company_id=booking.company_id)


def driver_trip(*, principal: Principal, trip_id: UUID) -> company_api.TripDetails:
    """The trip, if `principal` is a driver's device rostered on it: who may scan its tickets and read its
    manifest. Another company's trip does not exist for the caller (404); a person's token, an agent's device
    or the device of a driver not on this trip is refused (403)."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.get_trip(trip_id=trip_id)
    principal.require(BOARD_PASSENGERS, company_id=trip.company_id)
    if principal.kind is not PrincipalKind.DEVICE:
        raise PermissionDenied("Tickets are scanned from a driver's registered device.", code="device_required")
    if principal.user_id not in company_api.trip_driver_ids(trip_id=trip_id):
        raise PermissionDenied("This device's driver is not on this trip's roster.", code="not_trip_driver")
    return trip


def require_seller(principal: Principal) -> tuple[UUID, UUID]:
    """The device's id and company: only a POS device sells here (staff sell through bookings)."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    if principal.kind is not PrincipalKind.DEVICE:
        raise PermissionDenied("Only a POS device sells here.", code="device_required")
    principal.require(SELL_POS)
    company_id = next(company for company in sorted(principal.company_ids, key=str)
                      if principal.has(SELL_POS, company_id=company))
    return UUID(str(principal.id)), company_id
