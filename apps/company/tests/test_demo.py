"""The demo of `make run`: identity's demo staff run the two demo companies, which have a network, both
coach layouts and 14 days of trips, every one with a driver; seeding again adds nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import api
from apps.company.demo import DEMO_COMPANIES
from apps.company.models import Company, DriverAssignment, Route, SeatLayoutVersion, Stop, Trip
from transport.demo import seed_all


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
        assert Route.objects.filter(company=company).count() == 4
        assert set(Stop.objects.filter(company=company).values_list("town", flat=True)) == {
            "Nairobi", "Nakuru", "Eldoret", "Kisumu", "Mombasa", "Kampala"}
        assert Trip.objects.filter(company=company).count() == 4 * days
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
