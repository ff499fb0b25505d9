"""The company binding by a row of the binding table (transport/reporting.py): SQL run as the reporting role, even
past a bypassed guard (a CheckedSql built by hand), can neither rebind itself nor touch the binding, and the
binding ends with the run, on this connection only."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from apps.ai.guard.checks import CheckedSql
from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut
from apps.ai.guard.executor import guarded_run
from transport.reporting import BINDING_INSERT, BINDING_TABLE

pytestmark = pytest.mark.django_db

ZONE = "Africa/Nairobi"  # the worlds' companies' zone


def run(sql_text: str, company, *, timeout_ms: int = 5000):
    unchecked = CheckedSql(sql=sql_text, original=sql_text, relations=frozenset())
    return guarded_run(unchecked, company_id=company.company_id, time_zone=ZONE, timeout_ms=timeout_ms,
                       max_rows=100)


def bindings() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT backend_pid, company_id FROM {BINDING_TABLE}")  # noqa: S608 (a constant)
        return cursor.fetchall()


def sales_as_reporting_role() -> list[tuple]:
    """What the role reads from reporting_sales on this connection with nothing bound (a later use of it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(settings.AI_REPORTING_ROLE))
                       .as_string(connection.connection))
        cursor.execute("SELECT booking_id FROM reporting_sales")
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    return rows


REBINDING_SQL = [
    "WITH rebound AS (SELECT set_config('transport.reporting_company', '{theirs}', true) AS bound) "
    "SELECT bound, booking_id FROM rebound CROSS JOIN LATERAL (SELECT booking_id FROM reporting_sales) s",
    "SELECT current_setting('transport.reporting_company') AS bound, booking_id "
    "FROM (SELECT set_config('transport.reporting_company', '{theirs}', false)) AS r, reporting_sales",
]


@pytest.mark.parametrize("hostile", REBINDING_SQL)
def test_setting_another_company_in_the_sql_still_reads_the_asking_companys_rows(ours, theirs, hostile):
    result = run(hostile.format(theirs=theirs.company_id), ours)
    assert {row[0] for row in result.rows} == {str(theirs.company_id)}  # the setting did change
    assert {row[1] for row in result.rows} == {str(booking_id) for booking_id in ours.booking_ids}


def test_the_sql_cannot_read_the_binding(ours):
    with pytest.raises(QueryPermissionDenied) as denied:
        run(f"SELECT company_id FROM {BINDING_TABLE}", ours)  # noqa: S608 (a constant)
    assert "permission denied" in denied.value.message


@pytest.mark.parametrize("hostile", [
    "INSERT INTO {table} (backend_pid, company_id) VALUES (pg_backend_pid(), '{theirs}')",
    "UPDATE {table} SET company_id = '{theirs}'",
    "DELETE FROM {table}",
    "WITH gone AS (DELETE FROM {table} RETURNING company_id) SELECT count(*) FROM gone",
    "TRUNCATE {table}",
])
def test_the_sql_cannot_write_the_binding(ours, theirs, hostile):
    with pytest.raises(QueryFailed):
        run(hostile.format(table=BINDING_TABLE, theirs=theirs.company_id), ours)
    assert bindings() == []


def test_the_role_has_no_privilege_on_the_binding_even_in_a_writable_transaction(ours, theirs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES')",
                       [settings.AI_REPORTING_ROLE, BINDING_TABLE])
        assert cursor.fetchone() == (False,)
    with pytest.raises(DatabaseError) as denied, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(settings.AI_REPORTING_ROLE))
                       .as_string(connection.connection))
        cursor.execute(BINDING_INSERT, [theirs.company_id])
    assert isinstance(denied.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert bindings() == []


@pytest.mark.parametrize(("sql_text", "failure"), [
    ("SELECT count(*) FROM reporting_sales", None),
    ("SELECT * FROM ticketing_booking", QueryPermissionDenied),
    ("SELECT count(*) FROM reporting_trip_stops a, reporting_trip_stops b, generate_series(1, 1000000000) AS g",
     QueryTimedOut),
])
def test_the_binding_ends_with_the_run_and_a_later_use_of_the_connection_reads_nothing(ours, sql_text, failure):
    if failure is None:
        assert run(sql_text, ours).rows == [[2]]
    else:
        with pytest.raises(failure):
            run(sql_text, ours, timeout_ms=200)
    assert bindings() == []
    assert sales_as_reporting_role() == []


def test_inside_an_outer_transaction_the_binding_ends_with_the_run(ours):
    with transaction.atomic():
        assert run("SELECT count(*) FROM reporting_sales", ours).rows == [[2]]
        assert bindings() == []
        assert sales_as_reporting_role() == []


def test_another_connections_binding_binds_nothing_here(ours, theirs):
    """Runs on other connections have their own rows: even one left committed there neither binds this
    connection nor stops it binding its own company."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(BINDING_INSERT, [theirs.company_id])
        try:
            assert sales_as_reporting_role() == []
            result = run("SELECT booking_id, company_id FROM reporting_sales", ours)
            assert {tuple(row) for row in result.rows} == {(str(booking_id), str(ours.company_id))
                                                          for booking_id in ours.booking_ids}
        finally:
            other.execute(f"DELETE FROM {BINDING_TABLE} WHERE backend_pid = pg_backend_pid()")  # noqa: S608
