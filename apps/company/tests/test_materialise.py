"""Materialising trips from schedules: idempotent, exceptions applied, the beat task wired in."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from apps.company import tasks
from apps.company.models import ScheduleException, Trip, TripStop
from apps.company.services import schedules
from apps.company.services.materialise import trips_materialise

DAYS = 6


def test_running_twice_creates_nothing_twice(tenant_a):
    # given a daily schedule from today
    # when the materialisation runs twice
    first = trips_materialise(days_ahead=DAYS, company_id=tenant_a.company.id)
    second = trips_materialise(days_ahead=DAYS, company_id=tenant_a.company.id)
    # then one trip per day exists, each with its three stops, and the second run made nothing
    assert (first.created, second.created, second.planned) == (DAYS + 1, 0, DAYS + 1)
    assert Trip.objects.filter(schedule=tenant_a.schedule).count() == DAYS + 1
    assert TripStop.objects.filter(trip__schedule=tenant_a.schedule).count() == 3 * (DAYS + 1)


def test_trip_ids_are_stable_across_runs(tenant_a):
    trips_materialise(days_ahead=2, company_id=tenant_a.company.id)
    ids = set(Trip.objects.values_list("id", flat=True))
    Trip.objects.all().delete()
    trips_materialise(days_ahead=2, company_id=tenant_a.company.id)
    assert set(Trip.objects.values_list("id", flat=True)) == ids


def test_a_no_service_date_is_skipped_and_an_extra_departure_added(tenant_a):
    # given no service the day after tomorrow, and an extra 20:00 departure tomorrow (the company's days: after
    # 21:00 UTC it is already tomorrow in Nairobi)
    today = timezone.localdate(timezone=ZoneInfo(tenant_a.company.timezone))
    schedules.schedule_exception_add(principal=tenant_a.admin, schedule_id=tenant_a.schedule.id,
                                     date=today + timedelta(days=2), kind=ScheduleException.Kind.NO_SERVICE)
    schedules.schedule_exception_add(principal=tenant_a.admin, schedule_id=tenant_a.schedule.id,
                                     date=today + timedelta(days=1), kind=ScheduleException.Kind.EXTRA,
                                     departure_time=time(20, 0))
    # when trips are made for three days
    trips_materialise(days_ahead=3, company_id=tenant_a.company.id)
    # then the dates and times follow the exceptions
    made = sorted(Trip.objects.values_list("service_date", "departure_at"))
    local = [(day - today).days for day, _ in made]
    hours = [at.astimezone(timezone.get_fixed_timezone(180)).hour for _, at in made]
    assert list(zip(local, hours, strict=True)) == [(0, 8), (1, 8), (1, 20), (3, 8)]


def test_a_later_no_service_date_cancels_the_trip_already_made(tenant_a):
    trips_materialise(days_ahead=2, company_id=tenant_a.company.id)
    day = timezone.now().date() + timedelta(days=1)
    schedules.schedule_exception_add(principal=tenant_a.admin, schedule_id=tenant_a.schedule.id, date=day,
                                     kind=ScheduleException.Kind.NO_SERVICE)
    assert list(Trip.objects.filter(service_date=day).values_list("status", "cancel_reason")) == [
        ("cancelled", "No service on this date.")]
    assert trips_materialise(days_ahead=2, company_id=tenant_a.company.id).created == 0


def test_a_departure_whose_bus_is_busy_is_skipped_and_reported(tenant_a):
    # given a second schedule using the same bus at an overlapping time
    other = schedules.schedule_create(principal=tenant_a.admin, company_id=tenant_a.company.id,
                                      route_id=tenant_a.route.id, bus_id=tenant_a.bus.id, departure_time=time(9, 0),
                                      weekdays=[1, 2, 3, 4, 5, 6, 7], valid_from=timezone.now().date())
    # when trips are made
    result = trips_materialise(days_ahead=1, company_id=tenant_a.company.id)
    # then only one of each pair runs, and the other is reported
    assert result.created == 2
    assert len(result.skipped_bus_busy) == 2
    assert Trip.objects.filter(schedule=other).count() + Trip.objects.filter(schedule=tenant_a.schedule).count() == 2


def test_the_beat_task_is_scheduled_and_idempotent(tenant_a):
    assert settings.CELERY_BEAT_SCHEDULE["company-materialise-trips"]["task"] == "company.materialise_trips"
    first = tasks.materialise_trips.run()
    second = tasks.materialise_trips.run()
    assert first["created"] == settings.COMPANY_TRIPS_DAYS_AHEAD + 1
    assert second["created"] == 0
    assert Trip.objects.count() == settings.COMPANY_TRIPS_DAYS_AHEAD + 1
