"""The chart of an answer, a Vega-Lite specification without data (the dashboard binds the rows to it): the
model's, when it is one over the answer's columns and asks for nothing outside itself; else one derived from the
rows when they suit (a label or a time, and a number); else none."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
MAX_CHART_CHARS = 10_000
# a chart that loads data or links somewhere would make the dashboard fetch what the model chose
_FORBIDDEN_KEYS = frozenset({"data", "datasets", "url", "href", "usermeta"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def answer_chart(proposed: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any] | None:
    if _usable(proposed, columns):
        return dict(proposed)
    return derived_chart(columns, rows)


def _usable(chart: Any, columns: Sequence[str]) -> bool:
    if not isinstance(chart, dict) or "mark" not in chart or not isinstance(chart.get("encoding"), dict):
        return False
    if len(json.dumps(chart)) > MAX_CHART_CHARS or _has_forbidden_key(chart):
        return False
    fields = [channel.get("field") for channel in chart["encoding"].values() if isinstance(channel, dict)]
    named = [field for field in fields if field is not None]
    return bool(named) and all(isinstance(field, str) and field in columns for field in named)


def _has_forbidden_key(node: Any) -> bool:
    if isinstance(node, dict):
        return any(str(key).lower() in _FORBIDDEN_KEYS or _has_forbidden_key(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_has_forbidden_key(item) for item in node)
    return False


def derived_chart(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any] | None:
    """Two columns, one numeric and the other not: a line over time for dates, else bars per label."""
    if len(columns) != 2 or not rows:
        return None
    numeric = [index for index in (0, 1) if all(_is_number(row[index]) for row in rows)]
    if len(numeric) != 1:
        return None
    y, x = numeric[0], 1 - numeric[0]
    temporal = all(_is_time(row[x]) for row in rows)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "mark": "line" if temporal else "bar",
        "encoding": {
            "x": {"field": columns[x], "type": "temporal" if temporal else "nominal"},
            "y": {"field": columns[y], "type": "quantitative"},
        },
    }


def _is_number(value: Any) -> bool:
    """A number as the answer's rows hold it: an int or float, or an exact decimal as a string."""
    if value is None or isinstance(value, bool):
        return value is None
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_NUMBER.match(value)))


def _is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
