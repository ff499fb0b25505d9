"""guarded_run: checked SQL runs on the reporting connection, which logs in as the reporting role, in a read-only
transaction with a statement timeout, bound to one company, in that company's time zone, and at most max_rows rows
come back (JSON-safe).

The session's TimeZone is the company's (SET LOCAL TIME ZONE), so what a question means by a day is the company's
day: `created_at::date`, `date_trunc('week', ...)`, `extract(hour ...)` and `current_date` are local, as the
prompt tells the model. Times come back with the company's UTC offset: results are read in binary, whose
timestamptz loader is psycopg's (Django's text loader would label them UTC, as its own sessions are).

Each layer holds on its own, whatever the others let through:
- the session user is the reporting role, a member of no role: no `RESET ROLE`, `SET ROLE` or `set_config` leaves
  it, and it reads the reporting views and no table;
- the statement goes by the extended query protocol, so the server refuses several statements in one (no `COMMIT`
  ending the read-only transaction, no second statement after the first);
- `SET TRANSACTION READ ONLY` and `SET LOCAL statement_timeout` come before it, and the transaction is always
  rolled back;
- the company is bound by a row of the binding table (transport/reporting.py) for the reporting connection's
  backend pid, which the application's connection writes and commits before the question and deletes after it;
  the reporting role can neither read nor write that table. The reporting transaction is open before the pid is
  read, so the question runs on that very backend (a dropped connection fails the run; it cannot reconnect as
  another pid). Each thread or process has its own reporting connection, so its own pid and its own row; a row
  left by a crash between bind and delete is overwritten by the next bind for that pid before any question reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import errors as pg_errors
from psycopg import sql

from apps.ai.guard.checks import CheckedSql
from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut
from transport.reporting import BINDING_DELETE, BINDING_UPSERT
from transport.reporting_database import REPORTING_DATABASE

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[list[JsonValue]]
    truncated: bool  # more rows than max_rows existed (the rest were not read)


def guarded_run(checked: CheckedSql, *, company_id: UUID, time_zone: str, timeout_ms: int,
                max_rows: int) -> QueryResult:
    """Run `checked` for `company_id`. The binding is committed on the application's connection, so this must not
    be called inside a transaction there (a RuntimeError says so)."""
    reporting = connections[REPORTING_DATABASE]
    try:
        with transaction.atomic(using=REPORTING_DATABASE), reporting.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(int(timeout_ms)))
                           .as_string(reporting.connection))
            cursor.execute(sql.SQL("SET LOCAL TIME ZONE {}").format(sql.Literal(time_zone))
                           .as_string(reporting.connection))
            backend_pid = reporting.connection.info.backend_pid
            _bind(backend_pid, company_id)
            try:
                columns, fetched = _single_statement_run(reporting, checked.sql, max_rows + 1)
            finally:
                _unbind(backend_pid)
            transaction.set_rollback(True, using=REPORTING_DATABASE)
    except DatabaseError as error:
        raise _failure(error) from error
    return QueryResult(columns=columns, rows=[[json_safe(value) for value in row] for row in fetched[:max_rows]],
                       truncated=len(fetched) > max_rows)


def _bind(backend_pid: int, company_id: UUID) -> None:
    _binding_write(BINDING_UPSERT, [backend_pid, company_id])


def _unbind(backend_pid: int) -> None:
    _binding_write(BINDING_DELETE, [backend_pid])


def _binding_write(statement: str, params: list[int | UUID]) -> None:
    """One committed write of the binding table, without waiting for the commit to reach the disk: a binding is
    visible to the reporting backend as soon as it commits, and one lost in a crash only binds nothing (the views
    answer no rows) or is overwritten by the next bind of its pid. Two flushes per question were most of what the
    guard added to a query's time (bench/ai.py)."""
    with transaction.atomic(using=DEFAULT_DB_ALIAS, durable=True), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(statement, params)


def _single_statement_run(reporting: BaseDatabaseWrapper, statement: str,
                          limit: int) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """`statement` by the extended query protocol (binary results force it even without parameters, whatever the
    connection's prepare settings): the server refuses more than one statement. At most `limit` rows are read."""
    with reporting.wrap_database_errors, psycopg.Cursor(reporting.connection) as cursor:
        cursor.execute(statement.encode(), binary=True)
        columns = tuple(column.name for column in cursor.description or ())
        return columns, cursor.fetchmany(limit)


def _failure(error: DatabaseError) -> QueryFailed:
    cause = error.__cause__
    message = str(cause or error).strip()
    if isinstance(cause, pg_errors.QueryCanceled):
        return QueryTimedOut("The query ran too long and was stopped.")
    if isinstance(cause, pg_errors.InsufficientPrivilege):
        return QueryPermissionDenied(message)
    return QueryFailed(message)


def json_safe(value: object) -> JsonValue:
    """A database value as JSON holds it: exact decimals and ids as strings, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [json_safe(item) for item in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)
