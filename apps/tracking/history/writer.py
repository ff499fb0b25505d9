"""The position history's writer: a batch of fixes in one COPY, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from apps.tracking.fixes import Fix
from apps.tracking.models import HISTORY_TABLE

_COLUMNS = ("company_id", "bus_id", "trip_id", "source", "latitude", "longitude", "fixed_at", "received_at",
            "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent", "live")
COPY_SQL = f"COPY {HISTORY_TABLE} ({', '.join(_COLUMNS)}) FROM STDIN"


def fixes_record(fixes: Sequence[Fix], *, live_flags: Sequence[bool] | None = None) -> int:
    """Keep `fixes` in the history; `live_flags[i]` says whether fixes[i] became the live position (all False
    when not given). One COPY statement for the whole batch, never a statement or a commit per fix. The number
    of fixes written."""
    if live_flags is None:
        live_flags = [False] * len(fixes)
    if len(live_flags) != len(fixes):
        raise ValueError(f"{len(live_flags)} live flags for {len(fixes)} fixes")
    if not fixes:
        return 0
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for fix, live in zip(fixes, live_flags, strict=True):
            copy.write_row((fix.company_id, fix.bus_id, fix.trip_id, fix.source, fix.latitude, fix.longitude,
                            fix.fixed_at, fix.received_at, fix.speed_kmh, fix.heading, fix.altitude_m,
                            fix.accuracy_m, fix.battery_percent, live))
    return len(fixes)
