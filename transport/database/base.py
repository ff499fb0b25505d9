"""Django's PostgreSQL backend, with a persistent connection's health check (CONN_HEALTH_CHECKS) done without a
round trip.

Django checks a reused connection at the start of each request with a SELECT 1: a statement, and a wait for the
server, per request. An idle connection in autocommit has nothing to read, so the check asks the socket
instead: a server that closed the connection (a restart, an administrator's pg_terminate_backend, an idle
timeout) has sent its farewell, or end of file, and the socket is readable; then, as with a failed SELECT 1,
Django drops the connection and the request opens a new one. A connection that saw an error in the last request
is still asked with SELECT 1, as Django does."""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.errors_occurred:
            return super().is_usable()
        return _open_and_idle(self.connection)


def _open_and_idle(connection: psycopg.Connection[Any] | None) -> bool:
    """True for a connection the server has not closed, in no transaction, with nothing unread."""
    if connection is None or connection.closed or connection.broken:
        return False
    if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    waiting = select.poll()
    waiting.register(connection.pgconn.socket, select.POLLIN)
    return not waiting.poll(0)
