"""clock_pinned: checked SQL whose clock reads a given instant instead of the database's, for the evaluation,
which asks about history seeded at a pinned date: `current_date - 1` must mean the day before that date, as the
prompt told the model, whatever day the evaluation runs.

Only the clock's own expressions change (CURRENT_DATE, now()/CURRENT_TIMESTAMP, LOCALTIMESTAMP, LOCALTIME), each
into a literal of the same type, read in the company's zone (the run's TimeZone); the rest is the checked tree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import sqlglot
from sqlglot import exp

from apps.ai.guard.checks import DIALECT, CheckedSql


def clock_pinned(checked: CheckedSql, *, now: dt.datetime, time_zone: str) -> CheckedSql:
    """`checked` with its clock stopped at `now` (an aware instant), as seen in `time_zone`."""
    local = now.astimezone(ZoneInfo(time_zone))
    literals: dict[type[exp.Expression], tuple[str, exp.DType]] = {
        exp.CurrentDate: (local.date().isoformat(), exp.DataType.Type.DATE),
        exp.CurrentTimestamp: (local.isoformat(), exp.DataType.Type.TIMESTAMPTZ),
        exp.Localtimestamp: (local.replace(tzinfo=None).isoformat(), exp.DataType.Type.TIMESTAMP),
        exp.Localtime: (local.time().isoformat(), exp.DataType.Type.TIME),
    }

    def pinned(node: exp.Expression) -> exp.Expression:
        literal = literals.get(type(node))
        if literal is None:
            return node
        return exp.Cast(this=exp.Literal.string(literal[0]), to=exp.DataType.build(literal[1]))

    tree = sqlglot.parse_one(checked.sql, read=DIALECT).transform(pinned)
    return dataclasses.replace(checked, sql=tree.sql(dialect=DIALECT))
