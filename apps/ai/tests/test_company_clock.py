"""The company's clock: a question's SQL runs in the company's time zone (so a day is the company's day), the
prompt tells the model today's date there, the guard lets through what date questions are written with, and the
evaluation can stop the clock at a pinned instant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections

from apps.ai.gemini.prompt import schema_prompt
from apps.ai.guard.checks import sql_check
from apps.ai.guard.clock import clock_pinned
from apps.ai.guard.errors import SqlRefused
from apps.ai.guard.executor import guarded_run
from apps.ai.questions.clock import company_clock
from apps.ai.reporting.catalog import reporting_views
from apps.ai.tests.runs import committed_questions
from transport.reporting_database import REPORTING_DATABASE

# 22:30 UTC on Sunday 14 June 2026 is already Monday 15 June in Nairobi (UTC+3), still Sunday in Lima (UTC-5)
LATE_SUNDAY_UTC = dt.datetime(2026, 6, 14, 22, 30, tzinfo=dt.UTC)
LOCAL_DAY = ("SELECT extract(timezone FROM now())::integer AS offset_seconds, "
             "CAST(CAST('2026-06-14T22:30:00Z' AS timestamptz) AS date) AS local_day FROM reporting_sales LIMIT 1")


def run(sql: str, company, *, time_zone: str):
    checked = sql_check(sql, allowed_relations={view.name for view in reporting_views()}, row_limit=100)
    return guarded_run(checked, company_id=company.company_id, time_zone=time_zone, timeout_ms=5000, max_rows=100)


def session_time_zone() -> str:
    """The reporting connection's TimeZone, outside any question."""
    with connections[REPORTING_DATABASE].cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone')")
        return str(cursor.fetchone()[0])


@committed_questions
@pytest.mark.parametrize(("time_zone", "offset", "day"), [
    ("Africa/Nairobi", 3 * 3600, "2026-06-15"),
    ("America/Lima", -5 * 3600, "2026-06-14"),
])
def test_the_sql_runs_in_the_companys_time_zone_and_the_session_zone_is_back_afterwards(ours, time_zone, offset,
                                                                                           day):
    before = session_time_zone()

    result = run(LOCAL_DAY, ours, time_zone=time_zone)

    assert result.rows == [[offset, day]]
    assert session_time_zone() == before


@committed_questions
def test_the_companys_clock_is_its_zone_and_its_local_date():
    from tests.worlds.ticketing import build_sales_world

    world = build_sales_world()  # a company in Africa/Nairobi

    clock = company_clock(company_id=world.company_id, now=LATE_SUNDAY_UTC)

    assert (clock.time_zone, clock.today) == ("Africa/Nairobi", dt.date(2026, 6, 15))


def test_the_prompt_tells_the_model_today_its_weekday_the_zone_and_what_relative_dates_mean():
    prompt = schema_prompt(reporting_views(), today=dt.date(2026, 6, 17), time_zone="Africa/Nairobi")

    assert "Today is Wednesday 2026-06-17 in the company's time zone, Africa/Nairobi." in prompt
    assert "The session's TimeZone is that zone" in prompt
    assert '"yesterday" is 2026-06-16' in prompt
    assert '"this week" began 2026-06-15, "last week" is 2026-06-08 to 2026-06-14' in prompt
    assert '"this month" began 2026-06-01' in prompt
    assert prompt.index("Today is") < prompt.index("Views:")


DATE_QUESTIONS_SQL = [
    "SELECT count(*) FROM reporting_sales WHERE created_at::date = current_date - 1",
    "SELECT date_trunc('week', created_at)::date AS week, sum(seats) FROM reporting_sales GROUP BY 1 ORDER BY 1",
    "SELECT extract(isodow FROM created_at) AS weekday, date_part('hour', created_at) AS hour, count(*) "
    "FROM reporting_sales GROUP BY 1, 2",
    "SELECT to_char(created_at, 'YYYY-MM') AS month, coalesce(sum(total_minor), 0) FROM reporting_sales GROUP BY 1",
    "SELECT round(avg(delay_minutes)::numeric, 1), percentile_cont(0.5) WITHIN GROUP (ORDER BY delay_minutes), "
    "min(delay_minutes), max(delay_minutes) FROM reporting_trips",
    "SELECT count(*) FROM reporting_sales WHERE created_at >= now() - interval '7 days' "
    "AND created_at < date_trunc('day', localtimestamp) + interval '1 day'",
    "SELECT d::date FROM generate_series(current_date - 6, current_date, interval '1 day') AS d",
    "SELECT age(now(), min(created_at)), make_date(2026, 6, 1), localtime FROM reporting_sales",
    "SELECT avg(extract(epoch FROM observed_arrival - scheduled_arrival) / 60) FROM reporting_trip_stops",
]


@committed_questions
@pytest.mark.parametrize("sql", DATE_QUESTIONS_SQL)
def test_what_date_questions_are_written_with_passes_the_guard_and_runs(ours, sql):
    result = run(sql, ours, time_zone="Africa/Nairobi")

    assert result.columns  # it ran: a failure would have raised


@pytest.mark.parametrize("sql", [
    "SELECT set_config('TimeZone', 'UTC', true)",
    "SELECT pg_sleep(1)",
    "SELECT clock_timestamp()",
    "SELECT current_setting('TimeZone')",
])
def test_clock_and_setting_functions_outside_the_allow_list_are_refused(sql):
    with pytest.raises(SqlRefused) as refused:
        sql_check(sql, allowed_relations=set(), row_limit=10)
    assert refused.value.reason_code == "function_not_allowed"


@committed_questions
def test_a_pinned_clock_answers_its_instant_in_the_companys_zone(ours):
    checked = sql_check("SELECT current_date, current_date - 1, now(), localtimestamp, localtime "
                        "FROM reporting_sales LIMIT 1", allowed_relations={"reporting_sales"}, row_limit=10)

    pinned = clock_pinned(checked, now=LATE_SUNDAY_UTC, time_zone="Africa/Nairobi")
    result = guarded_run(pinned, company_id=ours.company_id, time_zone="Africa/Nairobi", timeout_ms=5000,
                         max_rows=10)

    assert result.rows == [["2026-06-15", "2026-06-14", "2026-06-15T01:30:00+03:00", "2026-06-15T01:30:00",
                            "01:30:00"]]
    assert "CURRENT_DATE" not in pinned.sql and "LIMIT 1" in pinned.sql


@committed_questions
def test_a_question_asked_tells_the_model_the_companys_today_and_runs_in_its_zone(gemini, ours):
    gemini.answer(json={"sql": LOCAL_DAY, "explanation": "The local day."})
    today = company_clock(company_id=ours.company_id).today

    answer = ours.world.client("dispatcher").post("/api/v1/ai/questions", {"question": "Which day is it?"},
                                                  format="json")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["rows"] == [[3 * 3600, "2026-06-15"]]
    instruction = gemini.requests()[0]["body"]["systemInstruction"]["parts"][0]["text"]
    assert f"Today is {today:%A} {today.isoformat()} in the company's time zone, Africa/Nairobi." in instruction
