"""An answer's chart: the model's when it draws the answer's own columns and fetches nothing, else one derived
from rows that suit (a label or a time beside a number), else none."""

from __future__ import annotations

from apps.ai.questions.charts import VEGA_LITE_SCHEMA, answer_chart

COLUMNS = ("day", "seats")
ROWS = [["2025-03-01", 4], ["2025-03-02", 7]]
MODELS = {"mark": "bar", "encoding": {"x": {"field": "day", "type": "ordinal"},
                                      "y": {"field": "seats", "type": "quantitative"}}}
LINE = {"$schema": VEGA_LITE_SCHEMA, "mark": "line", "encoding": {"x": {"field": "day", "type": "temporal"},
                                                                  "y": {"field": "seats", "type": "quantitative"}}}


def test_the_models_chart_over_the_answers_columns_is_kept():
    assert answer_chart(MODELS, COLUMNS, ROWS) == MODELS


def test_a_models_chart_naming_a_missing_column_gives_way_to_a_derived_line_over_dates():
    wrong = {"mark": "bar", "encoding": {"x": {"field": "date"}, "y": {"field": "seats"}}}

    assert answer_chart(wrong, COLUMNS, ROWS) == LINE


def test_a_models_chart_that_loads_data_from_elsewhere_is_not_passed_on():
    fetching = {**MODELS, "data": {"url": "https://attacker.example/data.json"}}
    linking = {**MODELS, "encoding": {**MODELS["encoding"], "href": {"field": "day"}}}

    assert answer_chart(fetching, COLUMNS, ROWS) == LINE
    assert answer_chart(linking, COLUMNS, ROWS) == LINE


def test_labels_beside_exact_decimals_are_bars():
    chart = answer_chart(None, ("channel", "revenue"), [["online", "1400.00"], ["pos", "800.50"]])

    assert chart == {"$schema": VEGA_LITE_SCHEMA, "mark": "bar",
                     "encoding": {"x": {"field": "channel", "type": "nominal"},
                                  "y": {"field": "revenue", "type": "quantitative"}}}


def test_rows_that_suit_no_chart_have_none():
    assert answer_chart(None, ("a", "b", "c"), [["x", 1, 2]]) is None  # three columns
    assert answer_chart(None, ("a", "b"), [[1, 2]]) is None  # two numbers: which is the axis?
    assert answer_chart(None, ("a", "b"), [["x", "y"]]) is None  # no number
    assert answer_chart(None, COLUMNS, []) is None  # no rows
    assert answer_chart({"mark": "bar"}, COLUMNS, []) is None  # no encoding
