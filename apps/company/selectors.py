"""Reads of company. For a principal, each list holds only rows of companies where the caller may read them;
the reads behind api.py (a trip, a layout, a route's stops, a roster) take ids and answer NotFound for none."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from apps.company.models import (
    Bus,
    Company,
    DriverAssignment,
    Route,
    RouteStop,
    Schedule,
    SeatLayout,
    SeatLayoutVersion,
    Stop,
    Trip,
)
from apps.company.permissions import MANAGE_COMPANY, VIEW_OWN_TRIPS, VIEW_TRIPS
from transport.errors import NotFound, PermissionDenied
from transport.principal import Principal
from transport.tenancy import in_companies


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


def driver_unfinished_trip_ids(*, principal: Principal, driver_id: UUID, limit: int) -> list[UUID]:
    """A driver's unfinished trips the caller may see, the one under way first, then the next by departure."""
    visible = assignments(principal=principal)  # the driver's own, or every one of their company
    found = visible.filter(
        driver_id=driver_id, is_active=True,
        trip__status__in=[Trip.Status.SCHEDULED, Trip.Status.BOARDING, Trip.Status.DEPARTED],
        ends_at__gt=timezone.now() - timedelta(hours=12),
    ).annotate(live=Case(When(trip__status__in=[Trip.Status.BOARDING, Trip.Status.DEPARTED], then=Value(0)),
                         default=Value(1), output_field=IntegerField())).order_by("live", "starts_at")
    return list(found.values_list("trip_id", flat=True)[:limit])


def company_by_id(*, company_id: UUID) -> Company:
    found = Company.objects.filter(pk=company_id).first()
    if found is None:
        raise NotFound("No such company.")
    return found


# one statement for trips and their stops (the reads add WHERE and ORDER BY): get_trip sits on every hold and
# seat map
_TRIP_SQL = """
SELECT t.id, t.company_id, t.route_id, r.name, r.code, t.schedule_id, t.bus_id, b.plate, t.layout_version_id,
       t.service_date, t.status, t.delay_minutes, t.delay_reason,
       ts.sequence, ts.stop_id, s.name, s.town, s.latitude, s.longitude, s.timezone, ts.distance_km, ts.arrive_at,
       ts.depart_at, ts.arrived_at, ts.departed_at
  FROM company_trip t
  JOIN company_route r ON r.id = t.route_id
  JOIN company_bus b ON b.id = t.bus_id
  JOIN company_tripstop ts ON ts.trip_id = t.id
  JOIN company_stop s ON s.id = ts.stop_id
"""


def trip_rows(*, trip_id: UUID) -> list[tuple]:
    """The trip joined with each of its stops, in stop order (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_TRIP_SQL + " WHERE t.id = %s ORDER BY ts.sequence", [trip_id])
        rows = cursor.fetchall()
    if not rows:
        raise NotFound("No such trip.")
    return rows


def trips_rows(*, trip_ids: list[UUID]) -> list[tuple]:
    """Trips joined with their stops as trip_rows has them, by departure, then trip, then stop (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_TRIP_SQL + " WHERE t.id = ANY(%s) ORDER BY t.departure_at, t.id, ts.sequence",
                       [list(trip_ids)])
        return cursor.fetchall()


def departing_trips(*, company_id: UUID, since: datetime, until: datetime) -> list[tuple[UUID, str]]:
    """(id, cancel reason) of the company's trips departing in [since, until), cancelled ones too."""
    return list(Trip.objects.filter(company_id=company_id, departure_at__gte=since, departure_at__lt=until)
                .values_list("id", "cancel_reason"))


def trip_ids_of_days(*, company_id: UUID, first_day: date, last_day: date) -> list[UUID]:
    return list(Trip.objects.filter(company_id=company_id, service_date__gte=first_day, service_date__lte=last_day)
                .values_list("id", flat=True))


def company_by_slug(*, slug: str) -> Company:
    found = Company.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound("No such company.")
    return found


def layout_version(*, layout_version_id: UUID) -> SeatLayoutVersion:
    version = SeatLayoutVersion.objects.select_related("layout").filter(pk=layout_version_id).first()
    if version is None:
        raise NotFound("No such seat layout.")
    return version


def layout_version_seats(*, layout_version_id: UUID) -> list[dict]:
    seats = SeatLayoutVersion.objects.filter(pk=layout_version_id).values_list("seats", flat=True).first()
    if seats is None:
        raise NotFound("No such seat layout.")
    return seats


def trip_layout_version_id(*, trip_id: UUID) -> UUID:
    version_id = Trip.objects.filter(pk=trip_id).values_list("layout_version_id", flat=True).first()
    if version_id is None:
        raise NotFound("No such trip.")
    return version_id


def route_stop_rows(*, route_id: UUID) -> list[tuple[UUID, UUID]]:
    """(company id, stop id) of a route's stops in order (one query)."""
    rows = list(RouteStop.objects.filter(route_id=route_id).order_by("sequence")
                .values_list("route__company_id", "stop_id"))
    if not rows:
        raise NotFound("No such route.")
    return rows


def trip_driver_ids(*, trip_id: UUID) -> frozenset[UUID]:
    return frozenset(DriverAssignment.objects.filter(trip_id=trip_id, is_active=True)
                     .values_list("driver_id", flat=True))


def company_names(*, company_ids: Collection[UUID] | None = None) -> list[tuple[UUID, str]]:
    """(id, name) of these companies (every one when None), by name."""
    rows = Company.objects.all() if company_ids is None else Company.objects.filter(pk__in=list(company_ids))
    return list(rows.order_by("name", "id").values_list("id", "name"))


_TRIP_CREW_SQL = """
SELECT t.company_id, t.bus_id,
       ARRAY(SELECT a.driver_id FROM company_driverassignment a WHERE a.trip_id = t.id AND a.is_active)
  FROM company_trip t
 WHERE t.id = %s
"""


def trip_crew_row(*, trip_id: UUID) -> tuple[UUID, UUID, list[UUID]]:
    """(company id, bus id, ids of the drivers rostered now) of a trip, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_TRIP_CREW_SQL, [trip_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound("No such trip.")
    return row[0], row[1], row[2]


def company_ids() -> list[UUID]:
    return list(Company.objects.order_by("name").values_list("id", flat=True))


def bus_company_id(*, bus_id: UUID) -> UUID | None:
    return Bus.objects.filter(pk=bus_id).values_list("company_id", flat=True).first()


def bus_current_trip_id(*, bus_id: UUID) -> UUID | None:
    return (Trip.objects.filter(bus_id=bus_id, status__in=[Trip.Status.BOARDING, Trip.Status.DEPARTED])
            .order_by("-departure_at").values_list("id", flat=True).first())
