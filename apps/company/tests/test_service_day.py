"""company.api for the real-time feeds: a company by its slug, several trips at once, and the trips of a GTFS
service day named as the static feed names them (start date and start time included)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.company import api, gtfs, timetable
from apps.company.services import trips
from apps.company.tests.world import ad_hoc_trip
from transport.errors import NotFound

pytestmark = pytest.mark.django_db


def test_a_company_is_found_by_its_slug(tenant_a):
    found = api.company_by_slug(slug=tenant_a.company.slug)

    assert (found.company_id, found.slug, found.timezone) == (tenant_a.company.id, "alpha-coaches", "Africa/Nairobi")
    with pytest.raises(NotFound):
        api.company_by_slug(slug="no-such-line")


def test_several_trips_come_by_departure_and_unknown_ids_are_left_out(tenant_a):
    later = ad_hoc_trip(tenant_a, at=time(16, 0))
    earlier = ad_hoc_trip(tenant_a, at=time(6, 0), bus=tenant_a.spare_bus)

    found = api.get_trips(trip_ids=[later.id, uuid.uuid4(), earlier.id])

    assert found == [api.get_trip(trip_id=earlier.id), api.get_trip(trip_id=later.id)]


def test_a_service_day_holds_its_trips_cancelled_ones_too_and_yesterdays_still_under_way(
        tenant_a, tenant_b, django_assert_num_queries):
    today = timezone.now().date() + timedelta(days=3)  # a day ahead enough for every trip to be made in the future
    yesterday = today - timedelta(days=1)
    morning = ad_hoc_trip(tenant_a, day=today, at=time(8, 0))
    evening = ad_hoc_trip(tenant_a, day=today, at=time(20, 0), bus=tenant_a.spare_bus)
    trips.trip_cancel(principal=tenant_a.admin, trip_id=evening.id, reason="Strike")
    overnight = ad_hoc_trip(tenant_a, day=yesterday, at=time(22, 0), bus=tenant_a.spare_bus)
    trips.trip_move(principal=tenant_a.admin, trip_id=overnight.id, move="depart")
    ad_hoc_trip(tenant_a, day=yesterday, at=time(6, 0))  # yesterday's, never left: not today's business
    ad_hoc_trip(tenant_a, day=today + timedelta(days=1), at=time(8, 0))
    ad_hoc_trip(tenant_b, day=today, at=time(8, 0))
    noon = datetime.combine(today, time(12, 0), tzinfo=timetable.zone("Africa/Nairobi"))

    with django_assert_num_queries(3):
        found = api.service_day_trips(company_id=tenant_a.company.id, now=noon)

    day, day_before = f"{today:%Y%m%d}", f"{yesterday:%Y%m%d}"
    assert [(f.trip.id, f.trip.status, f.cancel_reason, f.start_date, f.start_time) for f in found] == [
        (overnight.id, "departed", "", day_before, "22:00:00"),
        (morning.id, "scheduled", "", day, "08:00:00"),
        (evening.id, "cancelled", "Strike", day, "20:00:00"),
    ]
    static = gtfs.feed_rows(company_id=tenant_a.company.id, fallback_url="https://alpha.example.test/")
    first_departures = {}
    for trip_id, _arrival, departure, _stop, *_rest in static["stop_times.txt"]:
        first_departures.setdefault(trip_id, departure)
    service_days = {trip_id: service_id for _route, service_id, trip_id, _headsign in static["trips.txt"]}
    assert [(service_days[str(f.trip.id)], first_departures[str(f.trip.id)]) for f in found[:2]] == [
        (f.start_date, f.start_time) for f in found[:2]]


def test_a_start_time_counts_from_noon_minus_twelve_hours_on_a_clock_change_day():
    # clocks went forward at 01:00 UTC on Sunday 29 March 2026 in London: 08:00 BST is 07:00 UTC, the eighth
    # hour of the GTFS service day whose origin is 23:00 UTC the day before
    assert gtfs.trip_start(departure_at=datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
                           agency_timezone="Europe/London") == ("20260329", "08:00:00")
