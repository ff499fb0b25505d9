"""company.api, what ticketing, tracking and notification call: frozen dataclasses, pinned query counts."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import time, timedelta

import pytest
from django.utils import timezone

from apps.company import api
from apps.company.services import fleet, rosters, trips
from apps.company.services.materialise import trips_materialise
from apps.company.tests.world import ad_hoc_trip, principal, tomorrow
from transport.errors import NotFound


def test_get_trip_gives_ordered_stops_in_one_query(tenant_a, django_assert_num_queries):
    trip = ad_hoc_trip(tenant_a)
    with django_assert_num_queries(1):
        details = api.get_trip(trip_id=trip.id)
    assert [s.town for s in details.stops] == ["Nairobi", "Nakuru", "Kisumu"]
    assert [s.distance_km for s in details.stops] == [0, 160, 350]
    assert (details.route_code, details.bus_plate, details.status) == ("NBI-KSM", "KAL 001A", "scheduled")
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.status = "cancelled"


def test_a_trip_keeps_the_layout_it_was_sold_on(tenant_a):
    # given a trip made on the 49-seat layout
    trip = ad_hoc_trip(tenant_a)
    # when the bus's layout is edited (seat 1A becomes the crew seat)
    plan = tenant_a.layout.current_version
    seats = [{**seat, "sellable": seat["label"] != "1A"} for seat in plan.seats]
    fleet.layout_update(principal=tenant_a.admin, layout_id=tenant_a.layout.id,
                        plan={"decks": 1, "rows": plan.rows, "columns": plan.columns,
                              "aisle_columns": plan.aisle_columns, "seats": seats})
    later = ad_hoc_trip(tenant_a, day=tomorrow() + timedelta(days=1))
    # then the old trip still has 49 sellable seats, the new one 48
    assert len(api.trip_seat_layout(trip_id=trip.id).sellable_labels) == 49
    assert len(api.trip_seat_layout(trip_id=later.id).sellable_labels) == 48
    assert api.trip_seat_layout(trip_id=later.id).number == 2


def test_company_settings(tenant_a):
    found = api.company_settings(company_id=tenant_a.company.id)
    assert (found.currency, found.timezone, found.seat_hold_minutes, found.sales_cutoff_minutes,
            found.refund_percent) == ("KES", "Africa/Nairobi", 10, 15, 90)


def test_search_finds_trips_between_towns_in_two_queries(tenant_a, tenant_b, django_assert_num_queries):
    # given a week of trips in both companies
    trips_materialise(days_ahead=7)
    day = tomorrow()
    # when a passenger searches Nakuru -> Kisumu tomorrow
    with django_assert_num_queries(2):
        offers = api.trips_between(on=day, from_town="nakuru", to_town="Kisumu")
    # then both companies' trips that day come back, boarding at Nakuru at 10:30 local
    assert sorted(o.company_name for o in offers) == ["Alpha-Coaches", "Bravo-Express"]
    assert {o.board.at.isoformat() for o in offers} == {f"{day.isoformat()}T10:30:00+03:00"}
    assert {o.alight.at.isoformat() for o in offers} == {f"{day.isoformat()}T14:00:00+03:00"}
    assert {(o.board.sequence, o.alight.sequence, o.currency) for o in offers} == {(2, 3, "KES")}


def test_search_by_stop_ids_and_company(tenant_a, tenant_b, django_assert_num_queries):
    trips_materialise(days_ahead=2)
    with django_assert_num_queries(2):
        offers = api.trips_between(on=tomorrow(), from_stop_ids=[tenant_a.stops["Nairobi"].id],
                                   to_stop_ids=[tenant_a.stops["Nakuru"].id], company_id=tenant_a.company.id)
    assert [(o.company_id, o.board.name, o.alight.name) for o in offers] == [
        (tenant_a.company.id, "Nairobi Central", "Nakuru Central")]


def test_search_never_goes_backwards_nor_offers_cancelled_trips(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    backwards = api.trips_between(on=tomorrow(), from_town="Kisumu", to_town="Nairobi")
    trips.trip_cancel(principal=tenant_a.admin, trip_id=trip.id, reason="x")
    cancelled = api.trips_between(on=tomorrow(), from_town="Nairobi", to_town="Kisumu")
    assert (backwards, cancelled) == ([], [])


def test_search_uses_the_boarding_stops_local_date(tenant_a):
    # a 01:00 EAT departure is still the previous day in UTC (two days ahead: tomorrow's 01:00 EAT has
    # already left between 22:00 and 24:00 UTC)
    day = tomorrow() + timedelta(days=1)
    ad_hoc_trip(tenant_a, day=day, at=time(1, 0))
    assert len(api.trips_between(on=day, from_town="Nairobi", to_town="Kisumu")) == 1
    assert api.trips_between(on=day - timedelta(days=1), from_town="Nairobi", to_town="Kisumu") == []


def test_driver_current_trip(tenant_a):
    # given the driver on tomorrow's 08:00 and 15:00 trips
    first = ad_hoc_trip(tenant_a)
    second = ad_hoc_trip(tenant_a, at=time(15, 0), bus=tenant_a.spare_bus)
    driver = tenant_a.users["driver"]
    for trip in (first, second):
        rosters.assignment_create(principal=tenant_a.admin, trip_id=trip.id, driver_id=driver.pk)
    me = principal(driver)
    # when nothing has started, the next one is current; once the second boards, that one is
    upcoming = api.driver_current_trip(principal=me, driver_id=driver.pk)
    trips.trip_move(principal=tenant_a.admin, trip_id=second.id, move="board")
    boarding = api.driver_current_trip(principal=me, driver_id=driver.pk)
    assert (upcoming.id, boarding.id) == (first.id, second.id)


def test_another_driver_cannot_read_a_drivers_current_trip(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    rosters.assignment_create(principal=tenant_a.admin, trip_id=trip.id, driver_id=tenant_a.users["driver"].pk)
    other = principal(tenant_a.users["driver2"])
    assert api.driver_current_trip(principal=other, driver_id=tenant_a.users["driver"].pk) is None


def test_a_trips_crew_is_its_company_bus_and_drivers_rostered_now_in_one_query(tenant_a, django_assert_num_queries):
    trip = ad_hoc_trip(tenant_a)
    driver, relief = tenant_a.users["driver"], tenant_a.users["driver2"]
    rosters.assignment_create(principal=tenant_a.admin, trip_id=trip.id, driver_id=driver.pk)
    removed = rosters.assignment_create(principal=tenant_a.admin, trip_id=trip.id, driver_id=relief.pk)
    rosters.assignment_remove(principal=tenant_a.admin, assignment_id=removed.id)
    unrostered = ad_hoc_trip(tenant_a, bus=tenant_a.spare_bus)

    with django_assert_num_queries(1):
        crew = api.trip_crew(trip_id=trip.id)

    assert crew == api.TripCrew(trip_id=trip.id, company_id=tenant_a.company.id, bus_id=tenant_a.bus.id,
                                driver_ids=frozenset({driver.pk}))
    assert api.trip_crew(trip_id=unrostered.id).driver_ids == frozenset()
    with pytest.raises(NotFound):
        api.trip_crew(trip_id=uuid.uuid4())


def test_unknown_ids_are_not_found(db):
    with pytest.raises(NotFound):
        api.get_trip(trip_id=uuid.uuid4())
    with pytest.raises(NotFound):
        api.company_settings(company_id=uuid.uuid4())


def test_search_excludes_trips_already_gone(tenant_a):
    trips_materialise(days_ahead=1)
    today = timezone.now().date()
    offers = api.trips_between(on=today, from_town="Nairobi", to_town="Kisumu")
    assert all(o.board.at > timezone.now() for o in offers)


def test_company_admins_set_the_refund_window_and_sales_limits(tenant_a):
    admin = tenant_a.client("company_admin")
    url = f"/api/v1/company/companies/{tenant_a.company.id}"

    response = admin.patch(url, {"no_refund_hours": 3, "max_seats_per_booking": 4, "max_active_holds_per_user": 2},
                           format="json")

    assert response.status_code == 200, response.content
    found = api.company_settings(company_id=tenant_a.company.id)
    assert (found.no_refund_hours, found.max_seats_per_booking, found.max_active_holds_per_user,
            found.max_active_holds_per_device) == (3, 4, 2, None)


@pytest.mark.parametrize(("values", "status"), [({"no_refund_hours": 25}, 422), ({"cancellation_cutoff_hours": 1}, 422),
                                                ({"max_seats_per_booking": 0}, 400)])
def test_a_refund_window_past_the_cutoff_or_a_zero_limit_is_refused(tenant_a, values, status):
    response = tenant_a.client("company_admin").patch(f"/api/v1/company/companies/{tenant_a.company.id}", values,
                                                      format="json")

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    found = api.company_settings(company_id=tenant_a.company.id)
    assert (found.no_refund_hours, found.cancellation_cutoff_hours, found.max_seats_per_booking) == (2, 24, None)
