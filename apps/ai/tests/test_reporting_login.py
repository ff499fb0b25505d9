"""Questions run on a connection that logs in as the reporting role, and each layer holds on its own.

On that connection, by the simple protocol (several statements in one, as a query without parameters would be
sent), SQL cannot leave the role: its session user is the role, a member of no role. Through guarded_run with the
guard bypassed (a CheckedSql built by hand), the server refuses several statements in one, and whatever tries to
change the role, the transaction's mode or its timeout is refused or changes nothing."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections, router

from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut
from apps.ai.tests.runs import committed_questions, run
from transport.reporting import BINDING_TABLE
from transport.reporting_database import REPORTING_DATABASE

pytestmark = committed_questions


def app_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_user")
        return cursor.fetchone()[0]


def on_the_reporting_connection(statements: str) -> list[tuple]:
    """`statements` as one query by the simple protocol (several allowed), autocommit; the last one's rows."""
    raw = connections[REPORTING_DATABASE]
    raw.ensure_connection()
    with psycopg.ClientCursor(raw.connection) as cursor:
        cursor.execute(statements.encode())
        while cursor.nextset():
            pass
        return cursor.fetchall()


def test_the_reporting_connection_logs_in_as_the_role():
    assert on_the_reporting_connection("SELECT session_user, current_user") == [
        (settings.AI_REPORTING_ROLE, settings.AI_REPORTING_ROLE)]
    assert app_user() != settings.AI_REPORTING_ROLE


def test_the_role_is_a_member_of_nothing_and_holds_no_power():
    with connection.cursor() as cursor:
        cursor.execute("SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, "
                       "r.rolcanlogin, (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid), "
                       "pg_has_role(r.rolname, session_user, 'MEMBER') FROM pg_roles r WHERE r.rolname = %s",
                       [settings.AI_REPORTING_ROLE])
        assert cursor.fetchone() == (False, False, False, False, False, True, 0, False)


@pytest.mark.parametrize("escape", [
    "RESET ROLE; SELECT count(*) FROM ticketing_booking",
    "SET ROLE NONE; SELECT count(*) FROM ticketing_booking",
    "SET ROLE {app}; SELECT count(*) FROM ticketing_booking",
    "SELECT set_config('role', '{app}', false); SELECT count(*) FROM ticketing_booking",
    "SET SESSION AUTHORIZATION {app}; SELECT count(*) FROM ticketing_booking",
    "SELECT set_config('session_authorization', '{app}', false); SELECT count(*) FROM ticketing_booking",
    "RESET ROLE; SELECT company_id FROM " + BINDING_TABLE,
])
def test_by_the_simple_protocol_no_statement_leaves_the_role(ours, escape):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        on_the_reporting_connection(escape.format(app=app_user()))
    assert on_the_reporting_connection("SELECT session_user, current_user") == [
        (settings.AI_REPORTING_ROLE, settings.AI_REPORTING_ROLE)]


def test_by_the_simple_protocol_a_commit_would_end_the_read_only_transaction():
    """The control for the next test: what several statements in one would do if the server accepted them."""
    assert on_the_reporting_connection("BEGIN READ ONLY; SELECT 1; COMMIT; "
                                       "SELECT current_setting('transaction_read_only')") == [("off",)]


@pytest.mark.parametrize("several", [
    "SELECT 1; COMMIT; SELECT current_setting('transaction_read_only')",
    "SELECT 1; RESET ROLE",
    "SELECT 1; ROLLBACK; SET statement_timeout = 0; SELECT pg_sleep(0)",
    "SELECT count(*) FROM reporting_sales; SELECT count(*) FROM reporting_sales",
])
def test_the_server_refuses_several_statements_in_one_question(ours, several):
    with pytest.raises(QueryFailed) as refused:
        run(several, ours)
    assert "cannot insert multiple commands into a prepared statement" in refused.value.message


@pytest.mark.parametrize("hostile", [
    "SET ROLE {app}",
    "SET SESSION AUTHORIZATION {app}",
    "SELECT set_config('role', '{app}', true)",
    "SELECT set_config('role', '{app}', false)",
    "SELECT set_config('session_authorization', '{app}', true)",
    "WITH r AS (SELECT set_config('role', '{app}', true)) SELECT count(*) FROM ticketing_booking, r",
    "SELECT set_config('log_statement', 'none', true)",
])
def test_sql_that_would_take_other_rights_is_refused(ours, hostile):
    with pytest.raises(QueryPermissionDenied):
        run(hostile.format(app=app_user()), ours)


def test_resetting_the_role_stays_the_role(ours):
    """RESET ROLE answers no rows (a failed question), and the role it resets to is the login: the same."""
    with pytest.raises(QueryFailed):
        run("RESET ROLE", ours)
    assert run("SELECT session_user, current_user", ours).rows == [[settings.AI_REPORTING_ROLE] * 2]


def test_the_sql_cannot_make_its_transaction_writable(ours):
    with pytest.raises(QueryFailed) as refused:
        run("SELECT set_config('transaction_read_only', 'off', true)", ours)
    assert "read-write" in refused.value.message
    for sql in ["SELECT set_config('default_transaction_read_only', 'off', false)",
                "SELECT set_config('default_transaction_read_only', 'off', true)"]:
        assert run(sql, ours).rows == [["off"]]  # a later transaction's default: none follows in this one
    assert run("SELECT current_setting('transaction_read_only')", ours).rows == [["on"]]


def test_the_sql_cannot_lift_its_own_statement_timeout(ours):
    with pytest.raises(QueryTimedOut):
        run("SELECT set_config('statement_timeout', '0', true), count(*) "
            "FROM reporting_trip_stops a, reporting_trip_stops b, generate_series(1, 1000000000) AS g",
            ours, timeout_ms=200)
    assert run("SELECT current_setting('statement_timeout')", ours, timeout_ms=200).rows == [["200ms"]]


def test_the_reporting_connection_is_never_migrated():
    assert router.allow_migrate(REPORTING_DATABASE, "ai") is False
    assert router.allow_migrate("default", "ai") is True
