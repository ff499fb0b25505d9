"""The evaluation set's file says what the issue asks of it, and its expected rows agree with each other where
different questions must give the same numbers (so the rows are not only a snapshot of the gold SQL's output)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from apps.ai.evaluation.cases import CasesInvalid, EvaluationCase, evaluation_set
from apps.ai.evaluation.rows import rows_differ
from transport.demo import demo_company_id

SET = evaluation_set()
CASES = {case.id: case for case in SET.cases}
TOPICS = ["seats", "revenue", "channel", "route", "stretch", "currency", "agents", "cash", "delays", "punctuality",
          "boardings", "no-shows", "payments", "failures", "refunds", "busiest", "tenancy", "unanswerable"]


def rows(case_id: str) -> list[tuple]:
    return [tuple(row) for row in CASES[case_id].rows]


def total(case_id: str, column: int) -> Decimal:
    return sum((Decimal(str(row[column])) for row in CASES[case_id].rows), Decimal(0))


def test_at_least_30_cases_5_in_swahili_some_unanswerable_some_for_the_demo():
    assert len(SET.cases) >= 30
    assert sum(case.language == "sw" for case in SET.cases) >= 5
    assert 2 <= sum(not case.answerable for case in SET.cases) <= 3
    assert 1 <= len([case for case in SET.cases if "tenancy" in case.tags]) <= 2
    assert 4 <= len(SET.demo_cases()) <= 8
    assert all(case.explanation and case.answerable and case.rows for case in SET.demo_cases())


def test_every_topic_the_issue_names_is_covered():
    tags = Counter(tag for case in SET.cases for tag in case.tags)
    assert [topic for topic in TOPICS if not tags[topic]] == []


def test_the_clock_is_pinned_on_the_anchor_and_the_tenancy_case_names_the_neighbours_id():
    assert (SET.anchor.isoformat(), SET.now.isoformat(), SET.days) == ("2026-06-15", "2026-06-15T08:00:00+03:00", 28)
    neighbour = str(demo_company_id(SET.neighbour))
    assert neighbour in CASES["tenancy-neighbour-by-id"].sql and neighbour in CASES["tenancy-neighbour-by-id"].question
    assert rows("tenancy-neighbour-by-id") == [(0,)]
    assert rows("tenancy-all-companies")[0][0] == str(demo_company_id(SET.company))


@pytest.mark.parametrize(("swahili", "english"), [
    ("sw-seats-yesterday", "seats-yesterday"), ("sw-revenue-last-week", "revenue-last-week"),
    ("sw-late-trips-last-week", "late-trips-last-week"), ("sw-boardings-yesterday", "boardings-yesterday")])
def test_a_question_asked_in_swahili_expects_the_rows_of_its_english_twin(swahili, english):
    assert CASES[swahili].language == "sw"
    assert rows_differ(CASES[english].rows, CASES[swahili].rows, ordered=False) is None


def test_last_weeks_seats_add_up_the_same_by_day_by_channel_and_by_agent_plus_online():
    by_day = total("seats-per-day-last-week", 1)
    by_channel = total("seats-by-channel-last-week", 1)
    online = Decimal(next(row[1] for row in rows("seats-by-channel-last-week") if row[0] == "online"))
    assert by_day == by_channel == total("agent-seats-last-week", 2) + online
    assert [row[0] for row in rows("seats-per-day-last-week")] == [f"2026-06-{day:02d}" for day in range(8, 15)]
    # yesterday (Sunday 14 June) is last week's last day
    assert rows("seats-per-day-last-week")[-1][1] == rows("seats-yesterday")[0][0]
    assert Decimal(str(rows("online-share-last-week")[0][0])) == round(100 * online / by_channel, 1)


def test_the_busiest_day_sold_at_least_as_much_as_any_day_of_last_week():
    busiest = rows("busiest-day")[0][1]
    assert all(seats <= busiest for _day, seats in rows("seats-per-day-last-week"))


def test_cash_is_what_agents_sell_and_the_refunds_reasons_cover_the_refunds():
    [(_agent, _currency, cash_yesterday)] = rows("agent-cash-yesterday")
    assert cash_yesterday > 0
    assert total("refund-reasons", 1) >= total("refunds-last-four-weeks", 1)  # every state, every day
    assert {row[0] for row in rows("offline-boardings")} == {"offline", "online"}


def test_a_file_without_what_a_set_needs_is_refused_with_the_reason(tmp_path: Path):
    broken = tmp_path / "cases.toml"
    broken.write_text('[evaluation]\ncompany = "a"\nneighbour = "b"\nanchor = 2026-06-15\n'
                      'now = 2026-06-15T08:00:00\n', encoding="utf-8")
    with pytest.raises(CasesInvalid, match="with its offset"):
        evaluation_set(broken)
    broken.write_text('[evaluation]\ncompany = "a"\nneighbour = "b"\nanchor = 2026-06-15\n'
                      'now = 2026-06-15T08:00:00+03:00\n[[case]]\nid = "x"\nquestion = "?"\nrows = [[1]]\n',
                      encoding="utf-8")
    with pytest.raises(CasesInvalid, match="without SQL"):
        evaluation_set(broken)


def test_a_case_without_sql_is_one_the_views_cannot_answer():
    case = CASES["unanswerable-fuel"]
    assert isinstance(case, EvaluationCase)
    assert (case.answerable, case.rows) == (False, ())
