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

# copy_rows unpacks a fix by position, in this order
_FIX_ORDER = ("company_id", "bus_id", "source", "latitude", "longitude", "fixed_at", "received_at", "trip_id",
              "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent")
_COLUMNS = ("company_id", "bus_id", "trip_id", "source", "latitude", "longitude", "fixed_at", "received_at",
            "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent", "live")
COPY_SQL = f"COPY {HISTORY_TABLE} ({', '.join(_COLUMNS)}) FROM STDIN"
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
if Fix._fields != _FIX_ORDER:
    raise TypeError(f"A fix's fields are {Fix._fields}: copy_rows unpacks them as {_FIX_ORDER}")


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


def _uuid(value: UUID | None) -> str:
    return _NULL if value is None else str(value)


def copy_rows(fixes: Sequence[Fix], live_flags: Sequence[bool]) -> str:
    """The fixes as lines of COPY's text format, in _COLUMNS' order."""
    lines = []
    shared: tuple[UUID, UUID, UUID | None, str] | None = None
    leading = ""
    received_at: datetime | None = None
    received = ""
    null = _NULL
    for fix, live in zip(fixes, live_flags, strict=True):
        # one unpacking, not a lookup per field (a batch's hundred rows spend a third of their text on those)
        company_id, bus_id, source, lat, lon, fixed_at, at, trip_id, speed, heading, altitude, accuracy, battery = fix
        key = (company_id, bus_id, trip_id, source)
        if key != shared:
            shared = key
            leading = f"{_uuid(company_id)}\t{_uuid(bus_id)}\t{_uuid(trip_id)}\t{_text(source)}\t"
        if at is not received_at:
            received_at = at
            received = at.isoformat()
        # an optional number is null or Python's spelling of the float, which PostgreSQL reads, inf and nan included
        lines.append(f"{leading}{lat!r}\t{lon!r}\t{fixed_at.isoformat()}\t{received}\t"
                     f"{null if speed is None else repr(speed)}\t{null if heading is None else repr(heading)}\t"
                     f"{null if altitude is None else repr(altitude)}\t{null if accuracy is None else repr(accuracy)}\t"
                     f"{null if battery is None else repr(battery)}\t{'t' if live else 'f'}\n")
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
