"""The daily partitions of the position history: made ahead of time, dropped whole past the retention.

A partition holds one UTC day, [day 00:00, next day 00:00), and is named tracking_position_record_YYYYMMDD.
A fix for a day with no partition lands in the default partition; when that day's partition is made later,
its rows are moved out of the default first (PostgreSQL refuses to add a partition whose range the default
partition still holds rows of).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction

from apps.tracking.models import HISTORY_TABLE

DEFAULT_PARTITION = f"{HISTORY_TABLE}_default"
_PREFIX = f"{HISTORY_TABLE}_"


def partition_name(day: date) -> str:
    return f"{_PREFIX}{day:%Y%m%d}"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def daily_partitions() -> dict[str, date]:
    """The daily partitions that exist, by name, with their day."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = %s::regclass", [HISTORY_TABLE])
        names = [row[0] for row in cursor.fetchall()]
    return {name: datetime.strptime(name.removeprefix(_PREFIX), "%Y%m%d").date()
            for name in names if name != DEFAULT_PARTITION}


def _partition_create(day: date) -> None:
    name = partition_name(day)
    # literals: DDL takes no bound parameters; both come from a date, never from outside
    start, end = _day_start(day).isoformat(), _day_start(day + timedelta(days=1)).isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        # the lock keeps fixes of that day from reaching the default partition between the move and the create
        cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE")
        move = (f"CREATE TEMPORARY TABLE tracking_moved ON COMMIT DROP AS WITH moved AS (DELETE FROM "  # noqa: S608
                f"{DEFAULT_PARTITION} WHERE fixed_at >= '{start}' AND fixed_at < '{end}' RETURNING *) "
                f"SELECT * FROM moved")  # our table names, times made from a date
        cursor.execute(move)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {HISTORY_TABLE} "
                       f"FOR VALUES FROM ('{start}') TO ('{end}')")
        cursor.execute(f"INSERT INTO {HISTORY_TABLE} SELECT * FROM tracking_moved")  # noqa: S608
        cursor.execute("DROP TABLE tracking_moved")


def partitions_ensure(*, days_ahead: int, today: date) -> list[str]:
    """Make the partitions of `today` and the `days_ahead` days after it that do not exist yet; the names made.
    Idempotent: a second run makes nothing."""
    existing = daily_partitions()
    made = []
    for offset in range(days_ahead + 1):
        day = today + timedelta(days=offset)
        name = partition_name(day)
        if name in existing:
            continue
        _partition_create(day)
        made.append(name)
    return made


def partitions_drop(*, older_than: date) -> list[str]:
    """Drop the daily partitions whose whole day is before `older_than`, and delete the default partition's
    fixes from before it; the names dropped, oldest first."""
    dropped = []
    for name, day in sorted(daily_partitions().items(), key=lambda item: item[1]):
        if day >= older_than:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        dropped.append(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE fixed_at < %s", [_day_start(older_than)])  # noqa: S608
    return dropped
