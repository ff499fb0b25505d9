"""The schema prompt: the rules the model is held to, then each view and its columns, as the views describe them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from apps.ai.gemini.prompt import RULES, clock_lines, schema_prompt


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class View:
    name: str
    description: str
    columns: tuple[Column, ...]


SEATS = View("reporting_seat_sales", "One row per seat sold.", (
    Column("sold_on", "date", "The day of the sale, in the company's time zone."),
    Column("total_minor", "bigint", "The fare paid, in minor units of currency."),
))
DELAYS = View("reporting_trip_delays", "One row per trip that ran.", (
    Column("delay_minutes", "integer", "Minutes late at the last stop."),
))


def test_the_prompt_is_the_rules_the_clock_then_every_view_with_its_columns():
    prompt = schema_prompt([SEATS, DELAYS], today=dt.date(2026, 6, 15), time_zone="Africa/Kampala")

    assert prompt == RULES + clock_lines(today=dt.date(2026, 6, 15), time_zone="Africa/Kampala") + (
        "\nViews:\n\n"
        "reporting_seat_sales: One row per seat sold.\n"
        "  - sold_on (date): The day of the sale, in the company's time zone.\n"
        "  - total_minor (bigint): The fare paid, in minor units of currency.\n\n"
        "reporting_trip_delays: One row per trip that ran.\n"
        "  - delay_minutes (integer): Minutes late at the last stop.\n")


def test_the_rules_hold_the_model_to_the_views_one_select_no_company_filter_json_and_the_questions_language():
    assert "Query only the views listed below" in RULES
    assert "exactly one SELECT statement" in RULES
    assert "Do not filter by company" in RULES
    assert '"sql"' in RULES and '"explanation"' in RULES and '"chart"' in RULES
    assert "English or Swahili" in RULES
