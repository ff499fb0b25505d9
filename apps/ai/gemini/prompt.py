"""The system instruction that tells the model what it may query: only the published reporting views, described
column by column, and how to answer. The tenant is not in it: the database binds the company, whatever the SQL
says, so the model is told not to filter by company (a filter it wrote would only be a wrong guess)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol


class ColumnDescription(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def description(self) -> str: ...


class ViewDescription(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def columns(self) -> Sequence[ColumnDescription]: ...


RULES = """You write one PostgreSQL query that answers a bus company's question about its own operations.

Rules:
- Query only the views listed below, and only their listed columns. No other table, view or schema exists for you.
- Write exactly one SELECT statement (WITH and UNION are allowed). Never write INSERT, UPDATE, DELETE, DDL, SELECT
  INTO, FOR UPDATE or several statements; call no administrative or file function.
- Do not filter by company: the database already shows only the asking company's rows.
- Money columns are integer minor units with a currency column: aggregate per currency.
- Answer in JSON with the keys "sql" (the query), "explanation" (one sentence on what the query computes, in the
  language of the question: English or Swahili) and, when the rows suit a chart, "chart" (a Vega-Lite v5
  specification without "data", whose fields are the query's column names).
- If these views cannot answer the question, answer with "sql" as an empty string and say why in "explanation".
"""


CLOCK = """
Today is {weekday} {today} in the company's time zone, {time_zone}. The session's TimeZone is that zone, so
current_date, now(), date_trunc(), extract() and a timestamptz cast to date are all local.
Work out relative dates from today: "yesterday" is {yesterday};
a week runs Monday to Sunday: "this week" began {week_start}, "last week" is {last_week_start} to {last_week_end};
"this month" began {month_start}.
"""


def schema_prompt(views: Iterable[ViewDescription], *, today: dt.date, time_zone: str) -> str:
    """The rules, today's date where the company is, then each view: its name and description, then one line per
    column. `today` is the company's local date (the caller's clock; the evaluation pins it)."""
    blocks = [_view_block(view) for view in views]
    return RULES + clock_lines(today=today, time_zone=time_zone) + "\nViews:\n\n" + "\n\n".join(blocks) + "\n"


def clock_lines(*, today: dt.date, time_zone: str) -> str:
    week_start = today - dt.timedelta(days=today.weekday())
    return CLOCK.format(weekday=f"{today:%A}", today=today.isoformat(), time_zone=time_zone,
                        yesterday=(today - dt.timedelta(days=1)).isoformat(), week_start=week_start.isoformat(),
                        last_week_start=(week_start - dt.timedelta(days=7)).isoformat(),
                        last_week_end=(week_start - dt.timedelta(days=1)).isoformat(),
                        month_start=today.replace(day=1).isoformat())


def _view_block(view: ViewDescription) -> str:
    lines = [f"{view.name}: {view.description}"]
    lines += [f"  - {column.name} ({column.type}): {column.description}" for column in view.columns]
    return "\n".join(lines)
