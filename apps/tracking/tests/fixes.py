"""Fixes for tracking's tests, and a trace of the statements our database connection sends."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import psycopg
from django.db import connection

from apps.tracking.fixes import Fix

# a frontend message of libpq's trace: Query "sql", or Parse "statement name" "sql" parameter types...
_SENT = re.compile(r'^F\t\d+\t(?:Query\t "(?P<query>.*)"|Parse\t "[^"]*" "(?P<parsed>.*)" \d+.*)$')


def fix_at(fixed_at: datetime, *, company_id: UUID | None = None, bus_id: UUID | None = None,
           trip_id: UUID | None = None, latitude: float = -1.286389, longitude: float = 36.817223) -> Fix:
    return Fix(company_id=company_id or uuid4(), bus_id=bus_id or uuid4(), source=f"device:{uuid4()}",
               latitude=latitude, longitude=longitude, fixed_at=fixed_at, received_at=fixed_at + timedelta(seconds=2),
               trip_id=trip_id)


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements the connection sends meanwhile (simple queries and prepared ones), read from libpq's
    own protocol trace: what the server was asked, whatever path the code took."""
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
