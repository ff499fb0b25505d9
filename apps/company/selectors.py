"""Reads of company for a principal: each list holds only rows of companies where the caller may read them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.company.models import (
    Bus,
    Company,
    DriverAssignment,
    Route,
    Schedule,
    SeatLayout,
    Stop,
    Trip,
)
from apps.company.permissions import MANAGE_COMPANY, VIEW_OWN_TRIPS, VIEW_TRIPS
from apps.company.scoping import in_companies
from transport.errors import PermissionDenied
from transport.principal import Principal


def _readable(principal: Principal, permission: str) -> frozenset | None:
    companies = principal.companies_with(permission)
    if companies is not None and not companies:
        raise PermissionDenied(f"Missing permission {permission}.")
    return companies


def companies(*, principal: Principal) -> QuerySet[Company]:
    """The companies the caller belongs to (every company for a platform admin)."""
    if principal.global_permissions & {MANAGE_COMPANY}:
        return Company.objects.order_by("name")
    return Company.objects.filter(id__in=principal.company_ids).order_by("name")


def layouts(*, principal: Principal) -> QuerySet[SeatLayout]:
    return in_companies(SeatLayout.objects.select_related("current_version"),
                        _readable(principal, VIEW_TRIPS)).order_by("name", "id")


def buses(*, principal: Principal) -> QuerySet[Bus]:
    return in_companies(Bus.objects.select_related("layout"), _readable(principal, VIEW_TRIPS)).order_by("plate")


def stops(*, principal: Principal) -> QuerySet[Stop]:
    return in_companies(Stop.objects.all(), _readable(principal, VIEW_TRIPS)).order_by("town", "name")


def routes(*, principal: Principal) -> QuerySet[Route]:
    return in_companies(Route.objects.prefetch_related("route_stops"),
                        _readable(principal, VIEW_TRIPS)).order_by("name")


def schedules(*, principal: Principal) -> QuerySet[Schedule]:
    return in_companies(Schedule.objects.prefetch_related("exceptions"),
                        _readable(principal, VIEW_TRIPS)).order_by("route__name", "departure_time", "id")


def _own_trips_filter(principal: Principal) -> Q:
    """Trips of companies where the caller reads all trips, or trips they are assigned to drive."""
    every = principal.companies_with(VIEW_TRIPS)
    own = principal.companies_with(VIEW_OWN_TRIPS)
    if every is None:
        return Q()
    condition = Q(company_id__in=every)
    if own is None or own:
        if principal.user_id is not None:  # only a person drives
            driving = Exists(DriverAssignment.objects.filter(trip=OuterRef("pk"), driver_id=principal.user_id,
                                                             is_active=True))
            condition |= Q(driving) & (Q() if own is None else Q(company_id__in=own))
    elif not every:
        raise PermissionDenied(f"Missing permission {VIEW_TRIPS}.")
    return condition


def trips(*, principal: Principal) -> QuerySet[Trip]:
    return (Trip.objects.filter(_own_trips_filter(principal)).select_related("route", "bus")
            .prefetch_related("trip_stops").order_by("departure_at", "id"))


def assignments(*, principal: Principal) -> QuerySet[DriverAssignment]:
    every = principal.companies_with(VIEW_TRIPS)
    if every is None:
        return DriverAssignment.objects.order_by("starts_at", "id")
    own = principal.companies_with(VIEW_OWN_TRIPS)
    condition = Q(company_id__in=every)
    if own is None or own:
        condition |= Q(driver_id=principal.user_id) & (Q() if own is None else Q(company_id__in=own))
    elif not every:
        raise PermissionDenied(f"Missing permission {VIEW_TRIPS}.")
    return DriverAssignment.objects.filter(condition).order_by("starts_at", "id")
