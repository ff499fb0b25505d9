"""guarded_run: the database alone keeps a question to its company's rows and the reporting views, read only,
and stops a runaway query. SQL here goes to guarded_run unchecked (a CheckedSql built by hand) where the point
is that the role and the views hold even if sql_check were bypassed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections

from apps.ai.guard.checks import sql_check
from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut, SqlRefused
from apps.ai.guard.executor import guarded_run
from apps.ai.tests.runs import ZONE, committed_questions, run
from transport.reporting import BINDING_TABLE
from transport.reporting_database import REPORTING_DATABASE

pytestmark = committed_questions


def booking_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ticketing_booking")
        return cursor.fetchone()[0]


def test_a_checked_question_answers_with_json_safe_columns_and_rows(ours, theirs, views):
    checked = sql_check("SELECT booking_id, seats, total_minor::numeric / 100 AS total, confirmed_at, state "
                        "FROM reporting_sales ORDER BY booking_id", allowed_relations=views, row_limit=50)
    result = guarded_run(checked, company_id=ours.company_id, time_zone=ZONE, timeout_ms=5000, max_rows=50)
    assert result.columns == ("booking_id", "seats", "total", "confirmed_at", "state")
    assert [row[0] for row in result.rows] == sorted(str(booking_id) for booking_id in ours.booking_ids)
    assert all(isinstance(row[2], str) and isinstance(row[3], str) and row[1] == 1 and row[4] == "confirmed"
               for row in result.rows)
    assert result.truncated is False


@pytest.mark.parametrize("sql", [
    "SELECT booking_id FROM reporting_sales WHERE company_id = '{theirs}'",
    "SELECT s.booking_id FROM reporting_sales s JOIN reporting_trips t ON t.company_id = '{theirs}'",
    "SELECT booking_id FROM reporting_sales WHERE company_id IN (SELECT company_id FROM reporting_trips "
    "WHERE company_id = '{theirs}')",
    "SELECT booking_id FROM reporting_sales WHERE trip_id = '{their_trip}'",
])
def test_sql_naming_another_company_reads_none_of_its_rows(ours, theirs, sql):
    result = run(sql.format(theirs=theirs.company_id, their_trip=theirs.world.trip_id), ours)
    assert result.rows == []


def test_every_view_shows_the_asking_company_only(ours, theirs, views):
    for view in sorted(views):
        result = run(f"SELECT DISTINCT company_id FROM {view}", ours)  # noqa: S608 (the published view names)
        assert result.rows in ([], [[str(ours.company_id)]]), view
    assert run("SELECT count(*) FROM reporting_sales", theirs).rows == [[3]]


@pytest.mark.parametrize("table", ["ticketing_booking", "company_trip", "payment_payment", "identity_user"])
def test_the_role_cannot_read_a_base_table_even_unchecked(ours, table):
    with pytest.raises(QueryPermissionDenied) as denied:
        run(f"SELECT * FROM {table}", ours)  # noqa: S608 (fixed table names)
    assert "permission denied" in denied.value.message


@pytest.mark.parametrize("sql", [
    "DELETE FROM ticketing_booking",
    "UPDATE ticketing_booking SET total_minor = 0",
    "CREATE TABLE stolen AS SELECT * FROM reporting_sales",
    "WITH gone AS (DELETE FROM ticketing_booking RETURNING id) SELECT count(*) FROM gone",
])
def test_writes_fail_in_the_read_only_transaction_and_change_nothing_even_unchecked(ours, sql):
    before = booking_count()
    with pytest.raises(QueryFailed):
        run(sql, ours)
    assert booking_count() == before == 2


@pytest.mark.parametrize("sql", [
    "DELETE FROM reporting_sales",
    "SELECT 1; DELETE FROM ticketing_booking",
    "SELECT * FROM ticketing_booking FOR UPDATE",
    "SELECT pg_sleep(30)",
    "WITH gone AS (DELETE FROM ticketing_booking RETURNING id) SELECT count(*) FROM gone",
])
def test_refused_sql_never_reaches_the_database(ours, views, sql):
    before = booking_count()
    with pytest.raises(SqlRefused):
        guarded_run(sql_check(sql, allowed_relations=views, row_limit=10), company_id=ours.company_id, time_zone=ZONE,
                    timeout_ms=5000, max_rows=10)
    assert booking_count() == before == 2


def test_a_runaway_cross_join_is_stopped_by_the_statement_timeout(ours, views):
    checked = sql_check("SELECT count(*) FROM reporting_trip_stops a, reporting_trip_stops b, "
                        "generate_series(1, 1000000000) AS g", allowed_relations=views, row_limit=10)
    with pytest.raises(QueryTimedOut):
        guarded_run(checked, company_id=ours.company_id, time_zone=ZONE, timeout_ms=200, max_rows=10)
    assert booking_count() == 2  # the connection is usable afterwards


def test_rows_beyond_max_rows_are_not_returned(ours):
    result = run("SELECT g FROM generate_series(1, 50) AS g", ours, max_rows=7)
    assert result.rows == [[n] for n in range(1, 8)]
    assert result.truncated is True


def test_the_role_settings_and_binding_end_with_the_run(ours):
    run("SELECT 1", ours)
    with connections[REPORTING_DATABASE].cursor() as cursor:
        cursor.execute("SELECT session_user, current_user, current_setting('transaction_read_only'), "
                       "current_setting('statement_timeout')")
        assert cursor.fetchone() == (settings.AI_REPORTING_ROLE, settings.AI_REPORTING_ROLE, "off", "0")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BINDING_TABLE}")  # noqa: S608 (a constant)
        assert cursor.fetchone() == (0,)
