"""A demo company's operating history (transport.demo.demo_history), read the way operators' questions read it:
through the reporting views, bound to the company. The same call writes the same rows, a second call nothing; no
seat is sold twice on overlapping stretches; every day has sales, every channel sells, some trips ran late, some
bookings were refunded, most tickets of the trips that ran boarded."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from apps.ticketing.models import SeatHold
from transport.demo import demo_company, demo_history
from transport.reporting import BINDING_UPSERT

pytestmark = pytest.mark.django_db

ANCHOR = date(2026, 6, 15)  # a Monday: the history is the four weeks of Mondays to Sundays before it
DAYS = 28


def bound_rows(company_id, sql: str) -> list[tuple]:
    """What the reporting views answer `sql` for the company (bound as the ai app binds a question)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cursor.execute(BINDING_UPSERT, [cursor.fetchone()[0], company_id])
        cursor.execute(sql)
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    return rows


# every view, by value (no ids: the network's own ids are drawn anew each time a company is made), ordered by every
# column, so that rows equal in the first keys (two refunds asked in the same second) always come in one order
SNAPSHOT = {
    "trips": "SELECT route_code, service_date, scheduled_departure, scheduled_arrival, status, delay_minutes, "
             "delay_reason, bus_plate FROM reporting_trips WHERE service_date < '2026-06-15' "
             "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
    "stops": "SELECT t.route_code, t.service_date, s.sequence, s.town, s.observed_arrival, s.observed_departure "
             "FROM reporting_trip_stops s JOIN reporting_trips t USING (trip_id) "
             "WHERE t.service_date < '2026-06-15' ORDER BY 1, 2, 3, 4, 5, 6",
    "sales": "SELECT from_stop_name, to_stop_name, channel, seats, total_minor, currency, state, created_at, "
             "confirmed_at, cancelled_at, agent_name FROM reporting_sales ORDER BY 8, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11",
    "boardings": "SELECT seat_label, scanned_at, source FROM reporting_boardings ORDER BY 2, 1, 3",
    "payments": "SELECT provider, amount_minor, currency, state, created_at, succeeded_at FROM reporting_payments "
                "ORDER BY 5, 1, 2, 3, 4, 6",
    "refunds": "SELECT provider, amount_minor, currency, reason, state, created_at, settled_at FROM reporting_refunds "
               "ORDER BY 6, 2, 1, 3, 4, 5, 7",
}


def snapshot(company_id) -> dict[str, list[tuple]]:
    return {name: bound_rows(company_id, sql) for name, sql in SNAPSHOT.items()}


def test_the_same_call_writes_the_same_rows_and_a_second_call_nothing():
    # given a history written on one demo company, then undone with the company itself
    with transaction.atomic():
        first = snapshot(_with_history("determinism"))
        transaction.set_rollback(True)
    # when the company and its history are made again
    company_id = _with_history("determinism")
    again = snapshot(company_id)
    demo_history(company_id, anchor=ANCHOR, days=DAYS)
    demo_history(company_id, anchor=ANCHOR + timedelta(days=7), days=DAYS)
    # then the views answer exactly the same, and calling again (whatever the anchor) added nothing
    assert len(first["sales"]) > 1000
    assert again == first
    assert snapshot(company_id) == first


def test_no_seat_is_sold_twice_on_overlapping_stretches_but_disjoint_stretches_share_seats():
    company_id = _with_history("seats")
    live = SeatHold.objects.filter(booking__company_id=company_id, state__in=SeatHold.GUARDED_STATES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ticketing_seathold a JOIN ticketing_seathold b "
                       "ON a.trip_id = b.trip_id AND a.seat_label = b.seat_label AND a.id < b.id "
                       "AND a.stretch && b.stretch WHERE a.state IN ('held', 'confirmed') "
                       "AND b.state IN ('held', 'confirmed') AND a.trip_id = ANY(%s)",
                       [list(live.values_list("trip_id", flat=True).distinct())])
        [(overlapping,)] = cursor.fetchall()
    seat_sales = Counter(live.values_list("trip_id", "seat_label"))
    assert live.count() > 1000
    assert overlapping == 0
    assert max(seat_sales.values()) >= 2  # a seat sold again after the stretch of its first passenger


def test_the_views_show_sales_every_day_on_every_channel_delays_refunds_and_boardings():
    company_id = _with_history("views")

    by_day = dict(bound_rows(company_id, "SELECT t.service_date, sum(s.seats) FROM reporting_sales s "
                                         "JOIN reporting_trips t USING (trip_id) WHERE s.state = 'confirmed' "
                                         "GROUP BY 1"))
    channels = bound_rows(company_id, "SELECT channel, count(*), count(agent_name) FROM reporting_sales "
                                      "GROUP BY 1 ORDER BY 1")
    states = dict(bound_rows(company_id, "SELECT state, count(*) FROM reporting_sales GROUP BY 1"))
    late = bound_rows(company_id, "SELECT t.delay_minutes, t.delay_reason, "
                                  "extract(epoch FROM s.observed_arrival - s.scheduled_arrival) / 60 "
                                  "FROM reporting_trips t JOIN reporting_trip_stops s USING (trip_id) "
                                  "WHERE t.status = 'arrived' AND s.sequence = (SELECT max(sequence) FROM "
                                  "reporting_trip_stops x WHERE x.trip_id = t.trip_id)")
    cancelled = bound_rows(company_id, "SELECT t.trip_id, count(s.booking_id), count(s.booking_id) FILTER (WHERE "
                                       "s.state = 'confirmed') FROM reporting_trips t LEFT JOIN reporting_sales s "
                                       "USING (trip_id) WHERE t.status = 'cancelled' GROUP BY 1")
    payments = set(bound_rows(company_id, "SELECT provider, state FROM reporting_payments"))
    refunds = dict(bound_rows(company_id, "SELECT state, count(*) FROM reporting_refunds GROUP BY 1"))
    boarded = dict(bound_rows(company_id, "SELECT source, count(*) FROM reporting_boardings GROUP BY 1"))
    [(tickets_of_arrived,)] = bound_rows(company_id, "SELECT sum(s.seats)::int FROM reporting_sales s "
                                                     "JOIN reporting_trips t USING (trip_id) "
                                                     "WHERE t.status = 'arrived' AND s.state = 'confirmed'")

    history_days = {ANCHOR - timedelta(days=n) for n in range(1, DAYS + 1)}
    assert set(by_day) >= history_days and all(by_day[day] > 0 for day in history_days)
    weekday_seats = Counter({day.isoweekday(): 0 for day in history_days})
    for day in history_days:
        weekday_seats[day.isoweekday()] += by_day[day]
    assert weekday_seats.most_common(2)[0][0] in (5, 7) and weekday_seats[5] > weekday_seats[2]
    assert [(channel, agents == count) for channel, count, agents in channels] == [
        ("counter", True), ("online", False), ("pos", True)]
    assert all(count > 0 for _channel, count, _agents in channels)
    assert set(states) == {"confirmed", "cancelled", "expired"} and states["confirmed"] > 5 * states["cancelled"]
    on_time = [minutes for delay, _reason, minutes in late if delay == 0]
    delayed = [(delay, reason, minutes) for delay, reason, minutes in late if delay > 0]
    assert delayed and all(reason and abs(float(minutes) - delay) <= 1 for delay, reason, minutes in delayed)
    assert on_time and all(-5 <= float(minutes) <= 6 for minutes in on_time)
    # a cancelled trip sold before it was cancelled, and none of it stands
    assert cancelled and all(sold > 0 and standing == 0 for _trip, sold, standing in cancelled)
    assert {provider for provider, _state in payments} == {"cash", "mpesa", "mtn_momo", "paypal"}
    assert {"failed", "expired", "succeeded"} <= {state for _provider, state in payments}
    assert refunds["succeeded"] > 0 and set(refunds) <= {"succeeded", "pending", "failed", "awaiting_cash"}
    assert boarded["online"] > 0 and boarded["offline"] > 0
    assert 0.85 * tickets_of_arrived <= boarded["online"] + boarded["offline"] <= tickets_of_arrived


def _with_history(slug: str):
    company_id = demo_company(slug)
    demo_history(company_id, anchor=ANCHOR, days=DAYS)
    return company_id
