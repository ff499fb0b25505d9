"""The company binding by a row of the binding table (transport/reporting.py), written and committed by the
application's connection for the reporting connection's backend: SQL run as the reporting role, even past a
bypassed guard (a CheckedSql built by hand), can neither rebind itself nor touch the binding; the binding ends with
the run; a row left behind by a crash is overwritten before it is used; concurrent runs each read their own
company."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut
from apps.ai.tests.runs import committed_questions, run
from transport.reporting import BINDING_DELETE, BINDING_TABLE, BINDING_UPSERT
from transport.reporting_database import REPORTING_DATABASE

pytestmark = committed_questions


def bindings() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT backend_pid, company_id FROM {BINDING_TABLE}")  # noqa: S608 (a constant)
        return cursor.fetchall()


def reporting_pid() -> int:
    reporting = connections[REPORTING_DATABASE]
    reporting.ensure_connection()
    return reporting.connection.info.backend_pid


def bind_committed(backend_pid: int, company_id) -> None:
    """What a run that crashed between its bind and its delete leaves behind: a committed row for that pid."""
    with connection.cursor() as cursor:
        cursor.execute(BINDING_UPSERT, [backend_pid, company_id])


def sales_on_the_reporting_connection() -> list[tuple]:
    """What the reporting connection reads from reporting_sales outside a run (a later use of it)."""
    with connections[REPORTING_DATABASE].cursor() as cursor:
        cursor.execute("SELECT booking_id FROM reporting_sales")
        return cursor.fetchall()


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
    for statement, params in [(BINDING_UPSERT, [reporting_pid(), theirs.company_id]),
                              (BINDING_DELETE, [reporting_pid()])]:
        with pytest.raises(DatabaseError) as denied, connections[REPORTING_DATABASE].cursor() as cursor:
            cursor.execute(statement, params)
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
    assert sales_on_the_reporting_connection() == []


def test_inside_a_transaction_of_the_application_nothing_is_bound_nor_run(ours):
    """The binding must be committed for the reporting connection to see it: inside an outer transaction
    guarded_run refuses (a programming error), before anything is bound."""
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        run("SELECT count(*) FROM reporting_sales", ours)
    assert bindings() == []
    assert sales_on_the_reporting_connection() == []


def test_a_row_left_for_the_reporting_backend_by_a_crash_is_overwritten_before_the_run_reads(ours, theirs):
    """A run that died between its bind and its delete left the reporting backend's pid bound to another company
    (or the server gave a dead backend's pid to this one): the next bind overwrites it."""
    bind_committed(reporting_pid(), theirs.company_id)

    result = run("SELECT booking_id, company_id FROM reporting_sales", ours)

    assert {tuple(row) for row in result.rows} == {(str(booking_id), str(ours.company_id))
                                                  for booking_id in ours.booking_ids}
    assert bindings() == []


def test_another_backends_binding_binds_nothing_on_the_reporting_connection(ours, theirs):
    """A binding committed for another backend (here the application's own) neither binds the reporting
    connection nor stops it binding its company."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(BINDING_UPSERT, [other.info.backend_pid, theirs.company_id])
        try:
            assert sales_on_the_reporting_connection() == []
            result = run("SELECT booking_id, company_id FROM reporting_sales", ours)
            assert {tuple(row) for row in result.rows} == {(str(booking_id), str(ours.company_id))
                                                          for booking_id in ours.booking_ids}
        finally:
            other.execute(BINDING_DELETE, [other.info.backend_pid])


def test_concurrent_runs_for_two_companies_each_read_their_own_rows(ours, theirs):
    """Two threads, each with its own reporting connection (so its own backend and binding row), asking at the
    same time for their companies, again and again: no answer holds the other's rows."""
    rounds = 30
    start = threading.Barrier(2)
    answers: dict[str, list[set[object]]] = {"ours": [], "theirs": []}
    pids: dict[str, int] = {}
    failures: list[BaseException] = []

    def ask(name: str, company) -> None:
        try:
            pids[name] = reporting_pid()
            start.wait()
            for _ in range(rounds):
                rows = run("SELECT company_id FROM reporting_sales", company).rows
                answers[name].append({row[0] for row in rows})
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=("ours", ours)), threading.Thread(target=ask, args=("theirs", theirs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert pids["ours"] != pids["theirs"]
    assert answers["ours"] == [{str(ours.company_id)}] * rounds
    assert answers["theirs"] == [{str(theirs.company_id)}] * rounds
    assert bindings() == []
