"""statements_sent: what a database connection asked the server, read from libpq's own protocol trace, whatever
path the code took (Django's cursor, psycopg's, a health check)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection

# a frontend message of libpq's trace: Query "sql", or Parse "statement name" "sql" parameter types...
_SENT = re.compile(r'^F\t\d+\t(?:Query\t "(?P<query>.*)"|Parse\t "[^"]*" "(?P<parsed>.*)" \d+.*)$')


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements the default connection sends meanwhile (simple queries and prepared ones), in order."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sent: list[str] = []
    with tempfile.TemporaryFile(mode="w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
        try:
            yield sent
        finally:
            pgconn.untrace()
        trace.seek(0)
        for line in trace:
            sent_message = _SENT.match(line.rstrip("\n"))
            if sent_message:
                sent.append(sent_message["query"] or sent_message["parsed"])
