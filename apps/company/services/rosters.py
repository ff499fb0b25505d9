"""Driver rosters. A driver is never on two live trips whose times overlap: the exclusion constraint
company_driver_no_overlap guards it in the database; the Redis lock only keeps contention cheap."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction

from apps.auth import api as auth_api
from apps.company.models import DriverAssignment, Trip
from apps.company.permissions import MANAGE_ROSTERS
from apps.company.services.trips import FINISHED
from transport.errors import Conflict, ValidationFailed
from transport.locks import resource_lock
from transport.principal import Principal
from transport.tenancy import get_for

DRIVER_ROLE = "driver"


def _require_driver(principal: Principal, company_id: UUID, driver_id: UUID) -> None:
    drivers = auth_api.company_members(principal=principal, company_id=company_id, role=DRIVER_ROLE)
    if not any(member.user_id == driver_id for member in drivers):
        raise ValidationFailed("This user is not a driver of the company.", fields={"driver_id": ["Not a driver."]})


def assignment_create(*, principal: Principal, trip_id: UUID, driver_id: UUID) -> DriverAssignment:
    """Put a driver on a trip; 409 driver_busy if any live trip of theirs overlaps it."""
    with resource_lock("driver", driver_id), transaction.atomic():
        trip = get_for(principal, Trip.objects.all(), trip_id, MANAGE_ROSTERS)
        if trip.status in FINISHED:
            raise Conflict(f"A {trip.status} trip takes no drivers.", code="trip_finished")
        _require_driver(principal, trip.company_id, driver_id)
        try:
            with transaction.atomic():
                return DriverAssignment.objects.create(company_id=trip.company_id, trip=trip, driver_id=driver_id,
                                                       starts_at=trip.departure_at, ends_at=trip.arrival_at)
        except IntegrityError as exc:
            raise Conflict("The driver is on another trip at that time.", code="driver_busy",
                           fields={"driver_id": ["Busy at that time."]}) from exc


@transaction.atomic
def assignment_remove(*, principal: Principal, assignment_id: UUID) -> None:
    """Take a driver off a trip. The row stays (inactive) as the roster's history."""
    assignment = get_for(principal, DriverAssignment.objects.all(), assignment_id, MANAGE_ROSTERS, lock=True)
    if assignment.is_active:
        assignment.is_active = False
        assignment.save(update_fields=["is_active"])
