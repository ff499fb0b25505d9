"""What the guard costs a question: sql_check's parse-and-check rate beside sqlglot's bare parse of the same SQL,
and a guarded query's latency (guarded_run) beside the same SQL run directly, in the same run.

    python bench/ai.py [--seconds S]

Seeds its own database (created next to the configured one and dropped afterwards) with the demo's operating
history of one company (28 days of trips, sales on every channel, payments, refunds and boardings), so that the
queries read realistic volumes.

The queries are a handful of operators' questions as the model writes them (joins, aggregates, date arithmetic).

- Guard: for S seconds each, sql_check over the queries in turn (tokens, one parse, the node, relation and function
  checks, the LIMIT clamp and the regeneration of the SQL that runs), beside sqlglot.parse_one alone.
- Query: S seconds each, the question's SQL through sql_check and guarded_run (the reporting login's own
  connection, a read-only transaction with statement timeout and the company's time zone, the company bound by a
  row committed for that backend and deleted after, the extended protocol, at most AI_ROW_LIMIT rows, the
  rollback), beside the same checked SQL on the application's connection with only what gives the same answer:
  the company bound and its time zone, in a transaction that is rolled back. Latency mean, p50 and p99 per query
  run, and the ratio of the means.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import sqlglot  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.ai.guard.checks import DIALECT, CheckedSql, sql_check  # noqa: E402
from apps.ai.guard.executor import guarded_run  # noqa: E402
from apps.ai.questions.clock import company_clock  # noqa: E402
from apps.ai.reporting.catalog import reporting_view_names  # noqa: E402
from bench.coach_line import bench_database  # noqa: E402
from transport.demo import demo_company, demo_history  # noqa: E402
from transport.reporting import BINDING_UPSERT  # noqa: E402
from transport.reporting_database import REPORTING_DATABASE  # noqa: E402

QUERIES = {
    "seats by day on a route": """
        SELECT t.service_date, SUM(s.seats) AS seats
        FROM reporting_sales s JOIN reporting_trips t ON t.trip_id = s.trip_id
        WHERE s.state = 'confirmed' AND t.route_code = 'NBI-KSM'
          AND t.service_date >= current_date - 7 AND t.service_date < current_date
        GROUP BY t.service_date ORDER BY t.service_date""",
    "late trips this month": """
        SELECT route_name, service_date, bus_plate, delay_minutes, delay_reason FROM reporting_trips
        WHERE delay_minutes > 30 AND service_date >= date_trunc('month', current_date)
        ORDER BY delay_minutes DESC""",
    "cash by agent yesterday": """
        SELECT s.agent_name, p.currency, SUM(p.amount_minor) AS cash_minor
        FROM reporting_payments p JOIN reporting_sales s ON p.subject = 'booking:' || s.booking_id::text
        WHERE p.provider = 'cash' AND p.state = 'succeeded' AND p.succeeded_at::date = current_date - 1
        GROUP BY s.agent_name, p.currency ORDER BY cash_minor DESC LIMIT 5""",
    "revenue by channel": """
        SELECT channel, currency, COUNT(*) AS bookings, SUM(total_minor) AS revenue_minor
        FROM reporting_sales WHERE state = 'confirmed' GROUP BY channel, currency ORDER BY revenue_minor DESC""",
    "no-shows per trip": """
        WITH sold AS (SELECT trip_id, SUM(seats) AS seats FROM reporting_sales WHERE state = 'confirmed'
                      GROUP BY trip_id),
             boarded AS (SELECT trip_id, COUNT(*) AS boarded FROM reporting_boardings GROUP BY trip_id)
        SELECT t.route_name, t.service_date, sold.seats, COALESCE(boarded.boarded, 0) AS boarded
        FROM reporting_trips t JOIN sold ON sold.trip_id = t.trip_id
        LEFT JOIN boarded ON boarded.trip_id = t.trip_id
        WHERE t.status = 'arrived' ORDER BY sold.seats - COALESCE(boarded.boarded, 0) DESC LIMIT 10""",
    "refunds by state": """
        SELECT state, provider, currency, COUNT(*) AS refunds, SUM(amount_minor) AS amount_minor
        FROM reporting_refunds GROUP BY state, provider, currency""",
}
HISTORY_DAYS = 28


def seed() -> UUID:
    company_id = demo_company("bench")
    demo_history(company_id, anchor=timezone.localdate(), days=HISTORY_DAYS)
    return company_id


def rate(work: Callable[[str], object], items: list[str], seconds: float) -> float:
    """Calls per second of `work`, over `items` in turn, for `seconds`."""
    calls, began = 0, clock.perf_counter()
    deadline = began + seconds
    while clock.perf_counter() < deadline:
        for item in items:
            work(item)
        calls += len(items)
    return calls / (clock.perf_counter() - began)


def latencies(run: Callable[[CheckedSql], int], checked: list[CheckedSql], seconds: float) -> list[float]:
    """Seconds each query run took, over the queries in turn, for `seconds` (whole rounds)."""
    taken: list[float] = []
    deadline = clock.perf_counter() + seconds
    while clock.perf_counter() < deadline:
        for query in checked:
            began = clock.perf_counter()
            run(query)
            taken.append(clock.perf_counter() - began)
    return taken


def guarded(company_id: UUID, time_zone: str) -> Callable[[CheckedSql], int]:
    def run(query: CheckedSql) -> int:
        checked = sql_check(query.original, allowed_relations=reporting_view_names(), row_limit=settings.AI_ROW_LIMIT)
        return len(guarded_run(checked, company_id=company_id, time_zone=time_zone,
                               timeout_ms=settings.AI_STATEMENT_TIMEOUT_MS, max_rows=settings.AI_ROW_LIMIT).rows)
    return run


def direct(company_id: UUID, time_zone: str) -> Callable[[CheckedSql], int]:
    """The same SQL on the application's connection, with only what gives the same answer: the company bound to
    this backend and the company's time zone, in a transaction that is rolled back."""
    def run(query: CheckedSql) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BINDING_UPSERT, [connection.connection.info.backend_pid, company_id])
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [time_zone])
            cursor.execute(query.sql)
            rows = cursor.fetchall()
            transaction.set_rollback(True)
        return len(rows)
    return run


def summary(name: str, taken: list[float]) -> str:
    ordered = sorted(taken)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (f"{name}: {len(taken):,} runs, mean {statistics.fmean(taken) * 1000:.2f} ms, "
            f"p50 {statistics.median(taken) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    seconds = parser.parse_args().seconds
    texts = list(QUERIES.values())
    views = reporting_view_names()
    with bench_database("ai") as name:
        reporting = connections[REPORTING_DATABASE]  # the same database, through the reporting role's login
        reporting.close()
        reporting.settings_dict["NAME"] = name
        began = clock.perf_counter()
        company_id = seed()
        seeded = clock.perf_counter() - began
        time_zone = company_clock(company_id=company_id).time_zone
        checks = rate(lambda sql: sql_check(sql, allowed_relations=views, row_limit=settings.AI_ROW_LIMIT), texts,
                      seconds)
        parses = rate(lambda sql: sqlglot.parse_one(sql, dialect=DIALECT), texts, seconds)
        checked = [sql_check(sql, allowed_relations=views, row_limit=settings.AI_ROW_LIMIT) for sql in texts]
        rows = {name: guarded(company_id, time_zone)(query) for name, query in zip(QUERIES, checked, strict=True)}
        direct_rows = {name: direct(company_id, time_zone)(query) for name, query in zip(QUERIES, checked, strict=True)}
        assert rows == direct_rows, (rows, direct_rows)  # the same answers, or the comparison means nothing
        guarded_taken = latencies(guarded(company_id, time_zone), checked, seconds)
        direct_taken = latencies(direct(company_id, time_zone), checked, seconds)
    print(f"ai bench: {len(QUERIES)} queries over {HISTORY_DAYS} days of one demo company's history "
          f"(seeded in {timedelta(seconds=round(seeded))}); rows per query {rows}")
    print(f"  guard: sql_check {checks:,.0f} checks/s; sqlglot.parse_one alone {parses:,.0f} parses/s; "
          f"check/parse = {checks / parses:.2f}")
    print("  " + summary("guarded_run (check included)", guarded_taken))
    print("  " + summary("same SQL directly", direct_taken))
    print(f"  direct/guarded = {statistics.fmean(direct_taken) / statistics.fmean(guarded_taken):.2f} "
          f"(guarded costs {(statistics.fmean(guarded_taken) - statistics.fmean(direct_taken)) * 1000:.2f} ms more)")


if __name__ == "__main__":
    main()
