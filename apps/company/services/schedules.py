"""Schedules (a route, a default bus, a local departure time on some weekdays) and their exception dates."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.company import checks
from apps.company.models import Bus, Route, Schedule, ScheduleException, Trip
from apps.company.permissions import MANAGE_NETWORK
from apps.company.services import trips
from apps.company.services.network import network_company
from transport.errors import Conflict, NotFound
from transport.principal import Principal
from transport.tenancy import get_for


def _own(model: type[Route] | type[Bus], company_id: UUID, pk: UUID, field: str) -> Any:
    found = model.objects.filter(company_id=company_id, pk=pk).first()
    if found is None:
        raise NotFound(f"No such {model._meta.verbose_name} in this company.", fields={field: ["Not found."]})
    return found


def _check_dates(valid_from: date, valid_to: date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise checks.invalid("valid_to", "valid_to is on or after valid_from.")


@transaction.atomic
def schedule_create(*, principal: Principal, company_id: UUID, route_id: UUID, bus_id: UUID, departure_time: time,
                    weekdays: list[int], valid_from: date, valid_to: date | None = None) -> Schedule:
    company = network_company(principal, company_id)
    route = _own(Route, company.id, route_id, "route_id")
    bus = _own(Bus, company.id, bus_id, "bus_id")
    _check_dates(valid_from, valid_to)
    return Schedule.objects.create(company=company, route=route, bus=bus, departure_time=departure_time,
                                   weekdays=checks.weekdays(weekdays), valid_from=valid_from, valid_to=valid_to)


@transaction.atomic
def schedule_update(*, principal: Principal, schedule_id: UUID, **values: Any) -> Schedule:
    """Applies to trips materialised from now on; trips already made keep their times and bus."""
    schedule = get_for(principal, Schedule.objects.all(), schedule_id, MANAGE_NETWORK, lock=True)
    if "route_id" in values:
        values["route"] = _own(Route, schedule.company_id, values.pop("route_id"), "route_id")
    if "bus_id" in values:
        values["bus"] = _own(Bus, schedule.company_id, values.pop("bus_id"), "bus_id")
    if "weekdays" in values:
        values["weekdays"] = checks.weekdays(values["weekdays"])
    _check_dates(values.get("valid_from", schedule.valid_from), values.get("valid_to", schedule.valid_to))
    for field, value in values.items():
        setattr(schedule, field, value)
    schedule.save(update_fields=list(values))
    return schedule


@transaction.atomic
def schedule_exception_add(*, principal: Principal, schedule_id: UUID, date: date, kind: str,
                           departure_time: time | None = None) -> ScheduleException:
    """A date without service (its trips already made are cancelled) or an extra departure on a date."""
    schedule = get_for(principal, Schedule.objects.all(), schedule_id, MANAGE_NETWORK, lock=True)
    if kind == ScheduleException.Kind.NO_SERVICE:
        departure_time = None
    elif departure_time is None:
        raise checks.invalid("departure_time", "An extra departure needs its departure time.")
    try:
        with transaction.atomic():
            exception = ScheduleException.objects.create(schedule=schedule, date=date, kind=kind,
                                                         departure_time=departure_time)
    except IntegrityError as exc:
        raise Conflict("This exception exists already.", code="exception_exists") from exc
    if kind == ScheduleException.Kind.NO_SERVICE:
        live = Trip.objects.filter(schedule=schedule, service_date=date).exclude(
            status__in=[Trip.Status.CANCELLED, Trip.Status.DEPARTED, Trip.Status.ARRIVED])
        for trip in live.select_for_update():
            trips.cancel(trip, reason="No service on this date.")
    return exception


@transaction.atomic
def schedule_exception_remove(*, principal: Principal, schedule_id: UUID, exception_id: int) -> None:
    schedule = get_for(principal, Schedule.objects.all(), schedule_id, MANAGE_NETWORK, lock=True)
    deleted, _ = ScheduleException.objects.filter(schedule=schedule, pk=exception_id).delete()
    if not deleted:
        raise NotFound("No such exception on this schedule.")
