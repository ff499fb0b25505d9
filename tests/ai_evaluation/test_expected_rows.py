"""The evaluation set's expected rows, counted another way: through the apps' own tables with the ORM and Python
date arithmetic, not through the reporting views nor the gold SQL. If a view or a gold query were wrong in the
same way as the file, these would disagree."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from apps.ai.evaluation.cases import evaluation_set
from apps.company.models import Trip
from apps.payment.models import Payment
from apps.ticketing.models import Boarding, Booking, Passenger
from transport.demo import demo_company_id

pytestmark = pytest.mark.django_db

SET = evaluation_set()
ZONE = ZoneInfo("Africa/Nairobi")
YESTERDAY = SET.anchor - dt.timedelta(days=1)
LAST_WEEK = (SET.anchor - dt.timedelta(days=7), SET.anchor)  # the anchor is a Monday


def expected(case_id: str) -> list[list]:
    return [list(row) for row in next(case for case in SET.cases if case.id == case_id).rows]


def local_days(field: str, first: dt.date, end: dt.date) -> dict[str, dt.datetime]:
    """`field` from local midnight of `first` up to, not including, local midnight of `end` (as filters)."""
    return {f"{field}__gte": dt.datetime.combine(first, dt.time(), ZONE),
            f"{field}__lt": dt.datetime.combine(end, dt.time(), ZONE)}


def test_the_anchor_is_a_monday_so_last_week_is_the_seven_days_before_it():
    assert SET.anchor.isoweekday() == 1


def test_seats_sold_yesterday_are_the_passengers_of_bookings_confirmed_that_local_day(evaluation_data):
    seats = Passenger.objects.filter(booking__company_id=evaluation_data, booking__state="confirmed",
                                     **local_days("booking__confirmed_at", YESTERDAY, SET.anchor)).count()
    assert seats > 0
    assert expected("seats-yesterday") == [[seats]]


def test_seats_by_channel_last_week(evaluation_data):
    confirmed = Passenger.objects.filter(booking__company_id=evaluation_data, booking__state="confirmed",
                                         **local_days("booking__confirmed_at", *LAST_WEEK))
    by_channel = sorted([channel, confirmed.filter(booking__channel=channel).count()]
                        for channel in ("counter", "online", "pos"))
    assert sorted(expected("seats-by-channel-last-week")) == by_channel


def test_revenue_last_week(evaluation_data):
    revenue = Booking.objects.filter(company_id=evaluation_data, state="confirmed",
                                     **local_days("confirmed_at", *LAST_WEEK)).aggregate(Sum("total_minor"))
    assert expected("revenue-last-week") == [["KES", revenue["total_minor__sum"]]]


def test_boardings_yesterday(evaluation_data):
    boarded = Boarding.objects.filter(company_id=evaluation_data,
                                      **local_days("scanned_at", YESTERDAY, SET.anchor)).count()
    assert expected("boardings-yesterday") == [[boarded]]


def test_late_trips_last_week(evaluation_data):
    late = Trip.objects.filter(company_id=evaluation_data, delay_minutes__gt=15,
                               service_date__gte=LAST_WEEK[0], service_date__lt=LAST_WEEK[1]).count()
    assert expected("late-trips-last-week") == [[late]]


def test_failed_payments_by_provider_over_the_four_weeks(evaluation_data):
    failed = Payment.objects.filter(company_id=evaluation_data, state="failed",
                                    **local_days("created_at", SET.anchor - dt.timedelta(days=28), SET.anchor))
    counted = sorted([provider, failed.filter(provider=provider).count()]
                     for provider in set(failed.values_list("provider", flat=True)))
    assert sorted(expected("failed-payments-by-provider")) == counted


def test_the_neighbour_has_bookings_of_its_own_that_the_tenancy_cases_never_show(evaluation_data):
    neighbour = demo_company_id(SET.neighbour)
    assert Booking.objects.filter(company_id=neighbour, state="confirmed").count() > 0
    ours = Booking.objects.filter(company_id=evaluation_data, state="confirmed").count()
    assert expected("tenancy-all-companies") == [[str(evaluation_data), ours]]
