"""Rows compared as values: exact numbers whatever their spelling, ISO dates, order only when it is the answer,
and the model's columns in any order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.ai.evaluation.rows import rows_differ


def test_numbers_compare_exactly_whatever_their_spelling():
    assert rows_differ([[61, 38.7, 12]], [["61", "38.70", Decimal("12.0")]], ordered=True) is None
    assert rows_differ([[61]], [["61.01"]], ordered=True) == "other rows: got [[61.01]], expected [[61]]"
    assert rows_differ([[0.1]], [[0.1000001]], ordered=True) is not None  # no tolerance: exact


def test_dates_compare_as_iso_text_and_text_is_not_a_number():
    assert rows_differ([["2026-06-14", "NBI-KSM"]], [[dt.date(2026, 6, 14), "NBI-KSM"]], ordered=True) is None
    assert rows_differ([["2026-06-14"]], [["2026-06-14T00:00:00+03:00"]], ordered=True) is not None
    assert rows_differ([[None, True]], [[None, True]], ordered=True) is None


def test_order_counts_only_when_the_case_says_so_and_duplicates_count():
    assert rows_differ([["a", 1], ["b", 2]], [["b", 2], ["a", 1]], ordered=False) is None
    assert rows_differ([["a", 1], ["b", 2]], [["b", 2], ["a", 1]], ordered=True) == (
        'the rows in another order: got [["b", 2], ["a", 1]], expected [["a", 1], ["b", 2]]')
    assert rows_differ([["a"], ["a"]], [["a"]], ordered=False) == '1 row(s), expected 2: got [["a"]], expected ' \
                                                                  '[["a"], ["a"]]'


def test_the_models_columns_may_come_in_another_order_only_when_asked():
    gold, model = [["Nairobi", "9.9"], ["Kisumu", "6.8"]], [["6.8", "Kisumu"], ["9.9", "Nairobi"]]
    assert rows_differ(gold, model, ordered=False, any_column_order=True) is None
    assert rows_differ(gold, model, ordered=False) is not None
    assert rows_differ(gold, [["Nairobi"], ["Kisumu"]], ordered=False, any_column_order=True) is not None


def test_a_long_answer_is_quoted_in_part():
    reason = rows_differ([[n] for n in range(8)], [], ordered=False)
    assert reason == "0 row(s), expected 8: got [], expected [[0], [1], [2], [3], [4], ... 3 more]"
