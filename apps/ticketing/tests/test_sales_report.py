"""Sales reports by trip, day, agent and channel, for the company's staff only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.ticketing.sales.services.cancellation import booking_cancel
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold

pytestmark = pytest.mark.django_db

SALES = "/api/v1/sales"


def _company_today() -> date:
    return datetime.now(ZoneInfo("Africa/Nairobi")).date()  # the report's days are the company's


def _sell(world, who: str, *seats: str, alight: str = "Kisumu"):
    booking = hold(world, world.principal(who), *seats, alight=alight)
    return booking_confirm(booking_id=booking.id, principal=world.principal("agent"))


def _report(world, who: str, group_by: str, company_id=None):
    today = _company_today().isoformat()
    return world.client(who).get(SALES, {"company_id": str(company_id or world.company_id), "group_by": group_by,
                                         "since": today, "until": today})


def _given_sales(world):
    _sell(world, "passenger", "1A", "1B")  # online, 2 x 140,000
    _sell(world, "agent", "2A", alight="Nakuru")  # at the counter, 80,000
    cancelled = _sell(world, "other_passenger", "3A")  # online, then cancelled: 90 % refunded
    booking_cancel(principal=world.principal("other_passenger"), booking_id=cancelled.id)
    hold(world, world.principal("passenger"), "4A")  # held only: not a sale


def test_sales_by_channel(world):
    _given_sales(world)

    response = _report(world, "company_admin", "channel")

    assert response.status_code == 200
    assert response.json() == [
        {"key": "counter", "bookings": 1, "seats": 1, "gross_minor": 80_000, "refunded_minor": 0, "currency": "KES"},
        {"key": "online", "bookings": 2, "seats": 3, "gross_minor": 420_000, "refunded_minor": 126_000,
         "currency": "KES"},
    ]


def test_sales_by_trip_day_and_agent(world):
    _given_sales(world)

    by_trip = _report(world, "dispatcher", "trip").json()
    by_day = _report(world, "company_admin", "day").json()
    by_agent = {row["key"]: row["bookings"] for row in _report(world, "company_admin", "agent").json()}

    assert [(row["key"], row["bookings"], row["seats"]) for row in by_trip] == [(str(world.trip_id), 3, 4)]
    assert [(row["key"], row["gross_minor"]) for row in by_day] == [(_company_today().isoformat(), 500_000)]
    assert by_agent == {str(world.users["agent"].pk): 1, str(world.users["passenger"].pk): 1,
                        str(world.users["other_passenger"].pk): 1}


@pytest.mark.parametrize(("who", "status"), [
    (None, 401), ("passenger", 404), ("driver", 403), ("agent", 403), ("dispatcher", 200), ("company_admin", 200),
])
def test_who_may_see_sales(world, who, status):
    _given_sales(world)

    response = _report(world, who, "channel")

    assert response.status_code == status


def test_another_companys_admin_sees_no_sales(world, other_world):
    _given_sales(world)

    response = _report(other_world, "company_admin", "channel", company_id=world.company_id)

    assert response.status_code == 404


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"group_by": "colour"}, 400, "group_by"),
    ({"since": "2026-03-02", "until": "2026-03-01"}, 422, "until"),
    ({"since": "2024-01-01", "until": "2026-03-01"}, 422, "until"),
])
def test_bad_report_queries_are_problems(world, query, status, field):
    today = _company_today().isoformat()
    params = {"company_id": str(world.company_id), "group_by": "day", "since": today, "until": today, **query}

    response = world.client("company_admin").get(SALES, params)

    assert response.status_code == status
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(("since", "until", "field"), [("9999-12-31", "9999-12-31", "since"),
                                                      ("9999-11-30", "9999-12-31", "until"),
                                                      ("0001-01-01", "0001-01-02", "since")])
def test_a_report_at_the_ends_of_the_calendar_is_a_400_problem(world, since, until, field):
    response = world.client("company_admin").get(SALES, {"company_id": str(world.company_id), "group_by": "day",
                                                         "since": since, "until": until})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][field] == ["Give a date from 1900-01-01 to 9999-12-01."]


def test_a_report_on_the_last_date_of_the_calendar_is_empty(world):
    response = world.client("company_admin").get(SALES, {"company_id": str(world.company_id), "group_by": "day",
                                                         "since": "9999-12-01", "until": "9999-12-01"})

    assert (response.status_code, response.json()) == (200, [])
