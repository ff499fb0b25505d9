"""guarded_run: checked SQL runs in a read-only transaction, with a statement timeout, as the reporting role,
bound to one company, in that company's time zone, and at most max_rows rows come back (JSON-safe).

The session's TimeZone is the company's (SET LOCAL TIME ZONE), so what a question means by a day is the company's
day: `created_at::date`, `date_trunc('week', ...)`, `extract(hour ...)` and `current_date` are local, as the
prompt tells the model; times come back with the company's UTC offset.

The company is bound by a row of the binding table (transport/reporting.py), inserted before the switch to the
reporting role, which can neither read nor write that table: the SQL itself cannot rebind the question. The
transaction (or savepoint, inside an outer one) is always rolled back: SET LOCAL settings, the role and the
binding row end with it, so nothing leaks into what the connection does next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.types.datetime import TimestamptzLoader

from apps.ai.guard.checks import CheckedSql
from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut
from transport.reporting import BINDING_INSERT

JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: list[list[JsonValue]]
    truncated: bool  # more rows than max_rows existed (the rest were not read)


def guarded_run(checked: CheckedSql, *, company_id: UUID, time_zone: str, timeout_ms: int,
                max_rows: int) -> QueryResult:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BINDING_INSERT, [company_id])
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(int(timeout_ms)))
                           .as_string(connection.connection))
            cursor.execute(sql.SQL("SET LOCAL TIME ZONE {}").format(sql.Literal(time_zone))
                           .as_string(connection.connection))
            # Django's loader labels every timestamptz UTC, as its sessions are; this one's zone is the company's,
            # and psycopg's own loader reads the offset the database gives
            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
            cursor.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(settings.AI_REPORTING_ROLE))
                           .as_string(connection.connection))
            cursor.execute(checked.sql)
            columns = tuple(column.name for column in cursor.description or ())
            fetched = cursor.fetchmany(max_rows + 1)
            transaction.set_rollback(True)
    except DatabaseError as error:
        raise _failure(error) from error
    return QueryResult(columns=columns, rows=[[json_safe(value) for value in row] for row in fetched[:max_rows]],
                       truncated=len(fetched) > max_rows)


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
