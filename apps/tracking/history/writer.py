"""The position history's writer: a batch of fixes in one COPY, which is one transaction.

The rows go as COPY's text format, written here: through psycopg's write_row each of a batch's hundred rows costs
fourteen dumper calls: about twice the CPU this text takes. A batch's fixes share their company, bus, trip,
source and reception time, so those columns are spelt once per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db import connection

from apps.tracking.fixes import Fix
from apps.tracking.models import HISTORY_TABLE

_COLUMNS = ("company_id", "bus_id", "trip_id", "source", "latitude", "longitude", "fixed_at", "received_at",
            "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent", "live")
COPY_SQL = f"COPY {HISTORY_TABLE} ({', '.join(_COLUMNS)}) FROM STDIN"
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _number(value: float | None) -> str:
    # PostgreSQL reads Python's spelling of every float, "inf" and "nan" included
    return _NULL if value is None else repr(value)


def _uuid(value: UUID | None) -> str:
    return _NULL if value is None else str(value)


def copy_rows(fixes: Sequence[Fix], live_flags: Sequence[bool]) -> str:
    """The fixes as lines of COPY's text format, in _COLUMNS' order."""
    lines = []
    shared: tuple[UUID, UUID, UUID | None, str] | None = None
    leading = ""
    received_at: datetime | None = None
    received = ""
    for fix, live in zip(fixes, live_flags, strict=True):
        key = (fix.company_id, fix.bus_id, fix.trip_id, fix.source)
        if key != shared:
            shared = key
            leading = f"{_uuid(fix.company_id)}\t{_uuid(fix.bus_id)}\t{_uuid(fix.trip_id)}\t{_text(fix.source)}\t"
        if fix.received_at is not received_at:
            received_at = fix.received_at
            received = received_at.isoformat()
        lines.append(f"{leading}{fix.latitude!r}\t{fix.longitude!r}\t{fix.fixed_at.isoformat()}\t{received}\t"
                     f"{_number(fix.speed_kmh)}\t{_number(fix.heading)}\t{_number(fix.altitude_m)}\t"
                     f"{_number(fix.accuracy_m)}\t{_number(fix.battery_percent)}\t{'t' if live else 'f'}\n")
    return "".join(lines)


def fixes_record(fixes: Sequence[Fix], *, live_flags: Sequence[bool] | None = None) -> int:
    """Keep `fixes` in the history; `live_flags[i]` says whether fixes[i] became the live position (all False
    when not given). One COPY statement for the whole batch, never a statement or a commit per fix: on its own
    it commits as it ends, in a caller's transaction it is part of it. The number of fixes written."""
    if live_flags is None:
        live_flags = [False] * len(fixes)
    if len(live_flags) != len(fixes):
        raise ValueError(f"{len(live_flags)} live flags for {len(fixes)} fixes")
    if not fixes:
        return 0
    rows = copy_rows(fixes, live_flags)
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        copy.write(rows)
    return len(fixes)
