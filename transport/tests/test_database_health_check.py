"""A reused database connection is checked at the start of each request without a statement: a connection the
server has closed is replaced before the request uses it; an idle, open one is kept and nothing is sent."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.db.utils import OperationalError, ProgrammingError

from transport.testing.protocol_trace import statements_sent

pytestmark = pytest.mark.django_db(transaction=True)


def _reused_connection() -> int:
    """Connect as a request would, kept across requests (CONN_MAX_AGE is 0 in tests); the backend's pid."""
    connection.ensure_connection()
    connection.close_at = None
    return connection.connection.info.backend_pid


def _terminated_by_the_server(pid: int) -> None:
    """The server ends the connection, and its farewell has reached our socket."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    select.select([connection.connection.pgconn.socket], [], [])  # until it is readable, as it soon is


def _backend_pid_in_next_request() -> int:
    close_old_connections()  # what Django does as a request starts (and ends)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it():
    old = _reused_connection()
    _terminated_by_the_server(old)

    new = _backend_pid_in_next_request()

    assert new != old


def test_without_the_check_the_request_would_fail_on_the_closed_connection():
    old = _reused_connection()
    connection.health_check_enabled = False
    _terminated_by_the_server(old)

    with pytest.raises(OperationalError):
        _backend_pid_in_next_request()
    connection.close()


def test_an_open_idle_connection_is_kept_and_its_check_sends_nothing():
    old = _reused_connection()
    kept = connection.connection

    with statements_sent() as sent:
        pid = _backend_pid_in_next_request()

    assert pid == old
    assert connection.connection is kept
    assert [message for message in sent if "SELECT 1" in message] == []
    assert any("pg_backend_pid" in message for message in sent)


def test_after_an_error_the_server_itself_is_asked():
    _reused_connection()
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column")
    assert connection.errors_occurred

    with statements_sent() as sent:
        usable = connection.is_usable()

    assert usable is True
    assert any("SELECT 1" in message for message in sent)
