"""Rows compared as values, not as text: numbers exactly (an integer, a numeric column's "12.50" and a literal 12.5
are one number), dates and times in ISO 8601, and in any order unless the case says the order is the answer."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import Any

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MAX_PERMUTED_COLUMNS = 6  # the model may order its columns otherwise; beyond this many, its order must match
SHOWN_ROWS = 5  # rows quoted in a failure's reason


def normal_value(value: Any) -> Hashable:
    """One value as compared: numbers as exact decimals, dates and times as ISO 8601 text, the rest as is."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        return Decimal(value) if NUMBER.match(value) else value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def normal_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[Hashable, ...]]:
    return [tuple(normal_value(value) for value in row) for row in rows]


def rows_differ(expected: Sequence[Sequence[Any]], got: Sequence[Sequence[Any]], *, ordered: bool,
                any_column_order: bool = False) -> str | None:
    """None when `got` holds the `expected` rows (in their order, if `ordered`); else why not, in a sentence.
    With `any_column_order`, the columns of `got` may come in another order (the model's, against the gold's)."""
    want, have = normal_rows(expected), normal_rows(got)
    if _same(want, have, ordered=ordered):
        return None
    if any_column_order and want and have and len(want[0]) == len(have[0]) <= MAX_PERMUTED_COLUMNS:
        for order in itertools.permutations(range(len(have[0]))):
            if _same(want, [tuple(row[i] for i in order) for row in have], ordered=ordered):
                return None
    if len(want) != len(have):
        return f"{len(have)} row(s), expected {len(want)}: got {_shown(got)}, expected {_shown(expected)}"
    if not ordered or Counter(want) != Counter(have):
        return f"other rows: got {_shown(got)}, expected {_shown(expected)}"
    return f"the rows in another order: got {_shown(got)}, expected {_shown(expected)}"


def _same(want: list[tuple[Hashable, ...]], have: list[tuple[Hashable, ...]], *, ordered: bool) -> bool:
    return want == have if ordered else Counter(want) == Counter(have)


def _shown(rows: Sequence[Sequence[Any]]) -> str:
    """The rows as compared, numbers bare: a numeric column's "61" shows as 61, as the case file writes it."""
    shown = [f"[{', '.join(_shown_value(normal_value(value)) for value in row)}]" for row in rows[:SHOWN_ROWS]]
    more = [f"... {len(rows) - SHOWN_ROWS} more"] if len(rows) > SHOWN_ROWS else []
    return f"[{', '.join(shown + more)}]"


def _shown_value(value: Hashable) -> str:
    return str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
