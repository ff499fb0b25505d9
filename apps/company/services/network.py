"""Stops and routes. A route's stop sequence is frozen while it has future trips: sold tickets name its stops."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from apps.company import checks
from apps.company.models import Company, Route, RouteStop, Stop, Trip
from apps.company.permissions import MANAGE_NETWORK
from apps.company.services.rows import delete_unless_used, save_changes
from transport.errors import Conflict
from transport.principal import Principal
from transport.tenancy import get_for


def network_company(principal: Principal, company_id: UUID) -> Company:
    return get_for(principal, Company.objects.all(), company_id, MANAGE_NETWORK)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"The name {name!r} is taken in this company.", code="name_taken", fields={"name": ["Taken."]})


@transaction.atomic
def stop_create(*, principal: Principal, company_id: UUID, name: str, town: str, latitude: Decimal,
                longitude: Decimal, timezone: str) -> Stop:
    company = network_company(principal, company_id)
    latitude, longitude = checks.coordinates(latitude, longitude)
    checks.timezone(timezone)
    try:
        with transaction.atomic():
            return Stop.objects.create(company=company, name=name, town=town, latitude=latitude,
                                       longitude=longitude, timezone=timezone)
    except IntegrityError as exc:
        raise _name_taken(name) from exc


@transaction.atomic
def stop_update(*, principal: Principal, stop_id: UUID, **values: Any) -> Stop:
    stop = get_for(principal, Stop.objects.all(), stop_id, MANAGE_NETWORK, lock=True)
    checks.coordinates(values.get("latitude", stop.latitude), values.get("longitude", stop.longitude))
    if "timezone" in values:
        checks.timezone(values["timezone"])
    save_changes(stop, values, taken=_name_taken(values.get("name", stop.name)))
    return stop


@transaction.atomic
def stop_delete(*, principal: Principal, stop_id: UUID) -> None:
    stop = get_for(principal, Stop.objects.all(), stop_id, MANAGE_NETWORK, lock=True)
    delete_unless_used(stop, in_use=Conflict("Routes or trips use this stop.", code="stop_in_use"))


def _route_stop_rows(company_id: UUID, stops: list[dict[str, Any]]) -> list[tuple[UUID, Decimal, int]]:
    """(stop_id, distance_km, minutes_from_origin) checked: own stops, each once, starting at 0, moving on."""
    if len(stops) < 2:
        raise checks.invalid("stops", "A route has at least two stops.")
    rows = [(UUID(str(s["stop_id"])), Decimal(s["distance_km"]), int(s["minutes_from_origin"])) for s in stops]
    ids = [stop_id for stop_id, _, _ in rows]
    if len(set(ids)) != len(ids):
        raise checks.invalid("stops", "A route cannot visit the same stop twice.")
    if Stop.objects.filter(company_id=company_id, pk__in=ids).count() != len(ids):
        raise checks.invalid("stops", "Every stop must be a stop of this company.")
    if rows[0][1] != 0 or rows[0][2] != 0:
        raise checks.invalid("stops", "The first stop is at 0 km and 0 minutes.")
    for (_, km_before, min_before), (_, km, minutes) in zip(rows, rows[1:], strict=False):
        if minutes <= min_before or km < km_before:
            raise checks.invalid("stops", "Minutes must increase and distances never decrease along the route.")
    return rows


def _write_route_stops(route: Route, rows: list[tuple[UUID, Decimal, int]]) -> None:
    RouteStop.objects.filter(route=route).delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, sequence=index + 1, stop_id=stop_id, distance_km=km, minutes_from_origin=minutes)
        for index, (stop_id, km, minutes) in enumerate(rows)
    )


def route_stop_rows(route: Route) -> list[tuple[UUID, Decimal, int]]:
    return [(rs.stop_id, rs.distance_km, rs.minutes_from_origin) for rs in route.route_stops.order_by("sequence")]


@transaction.atomic
def route_create(*, principal: Principal, company_id: UUID, name: str, code: str, stops: list[dict[str, Any]],
                 replaces_id: UUID | None = None) -> Route:
    """A new route, or a new version of one (`replaces_id`) when the old one's stops are frozen by trips."""
    company = network_company(principal, company_id)
    rows = _route_stop_rows(company.id, stops)
    if replaces_id is not None and not Route.objects.filter(company=company, pk=replaces_id).exists():
        raise checks.invalid("replaces_id", "No such route in this company.")
    try:
        with transaction.atomic():
            route = Route.objects.create(company=company, name=name, code=code, replaces_id=replaces_id)
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    _write_route_stops(route, rows)
    return route


def has_future_trips(route: Route) -> bool:
    return (Trip.objects.filter(route=route, arrival_at__gt=django_timezone.now())
            .exclude(status=Trip.Status.CANCELLED).exists())


@transaction.atomic
def route_update(*, principal: Principal, route_id: UUID, stops: list[dict[str, Any]] | None = None,
                 **values: Any) -> Route:
    route = get_for(principal, Route.objects.all(), route_id, MANAGE_NETWORK, lock=True)
    if stops is not None:
        rows = _route_stop_rows(route.company_id, stops)
        if rows != route_stop_rows(route):
            if has_future_trips(route):
                raise Conflict("This route has future trips, so its stops cannot change: create a new route "
                               "version (replaces_id) and schedule that instead.", code="route_has_future_trips")
            _write_route_stops(route, rows)
    if not values:
        return route
    save_changes(route, values, taken=_name_taken(values.get("name", route.name)))
    return route


@transaction.atomic
def route_delete(*, principal: Principal, route_id: UUID) -> None:
    route = get_for(principal, Route.objects.all(), route_id, MANAGE_NETWORK, lock=True)
    delete_unless_used(route, in_use=Conflict("The route has trips or schedules; deactivate it instead.",
                                              code="route_in_use"))

