"""The demo of `make run`: identity's demo staff run the two demo companies, which have a network, both
coach layouts, 14 days of trips, every one with a driver, and the days of operating history before today;
seeding again adds nothing. The simulated bus has
a run up Thika Road departing as the demo starts, boarding; one still due under way is kept, one that should
have arrived is closed and replaced."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import api
from apps.company.demo import DEMO_COMPANIES, SIMULATED_STOPS, local_today
from apps.company.models import Company, DriverAssignment, Route, SeatLayoutVersion, Stop, Trip, TripStop
from transport.demo import DEMO_HISTORY_DAYS, DEMO_SIMULATED_BUS, seed_all

DEMO_TOWNS = {"Nairobi", "Nakuru", "Eldoret", "Kisumu", "Mombasa", "Kampala"}
THIKA_ROAD_TOWNS = {"Pangani", "Roysambu", "Ruiru", "Juja", "Thika"}


def test_the_demo_seeds_both_companies_with_driven_trips(db):
    # when `make run` seeds twice
    seed_all()
    counts = (Trip.objects.count(), DriverAssignment.objects.count(), Stop.objects.count())
    seed_all()
    # then nothing doubled
    assert (Trip.objects.count(), DriverAssignment.objects.count(), Stop.objects.count()) == counts
    days = settings.COMPANY_TRIPS_DAYS_AHEAD + 1
    for slug, company_id in DEMO_COMPANIES.items():
        company = Company.objects.get(pk=company_id)
        assert company.slug == slug
        assert sorted(SeatLayoutVersion.objects.filter(company=company).values_list("sellable_count", flat=True)) == [
            36, 49]
        simulated = 1 if slug == "alpha" else 0  # the simulated bus's run
        assert Route.objects.filter(company=company).count() == 4 + simulated
        assert set(Stop.objects.filter(company=company).values_list("town", flat=True)) == (
            DEMO_TOWNS | THIKA_ROAD_TOWNS if simulated else DEMO_TOWNS)
        today = local_today(company_id)
        assert Trip.objects.filter(company=company, service_date__gte=today).count() == 4 * days + simulated
        # and the operating history before today: every departure of the four routes, run or cancelled
        past = Trip.objects.filter(company=company, service_date__lt=today)
        assert past.count() == 4 * DEMO_HISTORY_DAYS
        assert set(past.values_list("status", flat=True)) <= {"arrived", "cancelled"}
        undriven = Trip.objects.filter(company=company, departure_at__gt=timezone.now()).exclude(
            assignments__is_active=True)
        assert undriven.count() == 0


def test_identity_demo_staff_run_the_demo_companies(db):
    seed_all()
    admin = get_user_model().objects.get(email="company-admin@alpha.demo.transport.dev")
    principal = auth_api.principal_for_user(user_id=admin.pk)
    assert principal.has("company.manage_fleet", company_id=DEMO_COMPANIES["alpha"])
    assert not principal.can_see_company(DEMO_COMPANIES["bravo"])
    driver = get_user_model().objects.get(email="driver@alpha.demo.transport.dev")
    current = api.driver_current_trip(principal=auth_api.principal_for_user(user_id=driver.pk), driver_id=driver.pk)
    assert current is not None
    assert current.company_id == DEMO_COMPANIES["alpha"]


def simulated_run() -> api.TripDetails:
    trip_id = api.bus_current_trip_id(bus_id=DEMO_SIMULATED_BUS)
    assert trip_id is not None
    return api.get_trip(trip_id=trip_id)


def test_the_simulated_bus_boards_a_run_up_thika_road_departing_as_the_demo_starts(db):
    before = timezone.now()

    seed_all()

    run = simulated_run()
    assert (run.company_id, run.route_code, run.bus_plate, run.status) == (
        DEMO_COMPANIES["alpha"], "NBI-THK", "KAS 500X", "boarding")
    assert before + timedelta(minutes=2) <= run.departure_at <= timezone.now() + timedelta(minutes=3)
    assert run.departure_at.second == 0
    assert [(s.name, s.town, s.latitude, s.longitude, s.distance_km) for s in run.stops] == [
        (name, town, Decimal(lat), Decimal(lon), Decimal(km)) for name, town, lat, lon, km, _ in SIMULATED_STOPS]
    assert run.arrival_at - run.departure_at == timedelta(minutes=SIMULATED_STOPS[-1][5])
    assert len(api.trip_driver_ids(trip_id=run.id)) == 1


def test_a_run_still_due_under_way_is_kept_on_the_next_start(db):
    seed_all()
    first = simulated_run()
    Trip.objects.filter(pk=first.id).update(status=Trip.Status.DEPARTED)

    seed_all()

    assert simulated_run().id == first.id
    assert Trip.objects.filter(bus_id=DEMO_SIMULATED_BUS).count() == 1


def _move_into_the_past(trip_id, status: str, *, hours: int) -> None:
    back = timedelta(hours=hours)
    Trip.objects.filter(pk=trip_id).update(status=status, departure_at=F("departure_at") - back,
                                           arrival_at=F("arrival_at") - back)
    TripStop.objects.filter(trip_id=trip_id).update(arrive_at=F("arrive_at") - back, depart_at=F("depart_at") - back)


def test_a_run_that_should_have_arrived_is_closed_and_a_new_one_boards(db):
    seed_all()
    departed = simulated_run()
    _move_into_the_past(departed.id, Trip.Status.DEPARTED, hours=3)
    seed_all()
    boarding = simulated_run()
    _move_into_the_past(boarding.id, Trip.Status.BOARDING, hours=2)

    seed_all()

    latest = simulated_run()
    statuses = dict(Trip.objects.filter(bus_id=DEMO_SIMULATED_BUS).values_list("id", "status"))
    assert statuses == {departed.id: "arrived", boarding.id: "cancelled", latest.id: "boarding"}
    assert latest.departure_at > timezone.now()


def test_a_new_run_departs_after_the_last_one_as_scheduled_when_it_arrived_early(db):
    seed_all()
    early = simulated_run()
    Trip.objects.filter(pk=early.id).update(status=Trip.Status.ARRIVED)

    seed_all()

    latest = simulated_run()
    assert latest.id != early.id
    assert early.arrival_at <= latest.departure_at < early.arrival_at + timedelta(minutes=1)
