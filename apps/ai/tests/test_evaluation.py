"""The evaluation (`manage.py ai_evaluate`) on its own data, the evaluation company's history at the set's anchor:
offline every case's gold SQL gives its expected rows through the guard; with the model (the Gemini emulator,
scripted case by case) the printed execution accuracy is exactly the cases whose SQL gave the gold rows, and a
refusal, a failure and a provider error are each reported as what they are.

Transactional tests: a question runs on committed rows and outside any transaction of the test's; the command
seeds the evaluation company itself, and the flush after each test takes it away."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.ai.evaluation.cases import CASES_FILE, evaluation_set
from apps.ai.tests.runs import committed_questions
from transport.demo import demo_company_id

pytestmark = committed_questions


def evaluate(*options: str) -> str:
    out = StringIO()
    call_command("ai_evaluate", "--in-place", *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def outcomes(report: str) -> dict[str, str]:
    lines = report.splitlines()[1:-1]
    return {line.split()[1]: line.split()[0] for line in lines}


def test_offline_every_case_gives_its_expected_rows_and_a_wrong_expected_row_fails_the_command(tmp_path: Path):
    report = evaluate()

    cases = evaluation_set().cases
    assert report.splitlines()[0].startswith(f"ai_evaluate offline: {len(cases)} cases, gold SQL through the guard; "
                                             f"company {demo_company_id('evaluation')}, today 2026-06-15 "
                                             "(Africa/Nairobi)")
    assert outcomes(report) == {case.id: "pass" for case in cases}
    assert report.splitlines()[-1] == (f"Offline: {len(cases)}/{len(cases)} (100.0%) cases pass; {len(cases)} pass, "
                                       "0 fail, 0 refused, 0 error")

    wrong = tmp_path / "cases.toml"
    wrong.write_text(CASES_FILE.read_text(encoding="utf-8").replace("rows = [[61]]", "rows = [[60]]", 1),
                     encoding="utf-8")
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("ai_evaluate", "--in-place", "--cases", str(wrong), stdout=out, stderr=StringIO())

    assert failed.value.returncode == 1
    assert "fail     seats-yesterday" in out.getvalue()
    assert "other rows: got [[61]], expected [[60]]" in out.getvalue()
    assert outcomes(out.getvalue())["seats-by-channel-last-week"] == "pass"


# how the emulator answers each case below; every other case gets its gold SQL
WRONG = {"sql": "SELECT count(*) FROM reporting_sales WHERE confirmed_at::date = current_date - 1",
         "explanation": "Bookings, not seats."}
SCRIPTED = {
    "seats-yesterday": {"json": WRONG},  # fail: bookings counted, not seats
    "revenue-last-week": {"json": {"sql": "SELECT * FROM ticketing_booking", "explanation": "Everything."}},
    "seats-by-channel-last-week": {"json": {"sql": "SELECT no_such_column FROM reporting_sales",
                                            "explanation": "Oops."}},  # error: the database refuses it
    "busiest-day": {"outcome": "http_error", "status": 503},  # error: the provider
    "top-stretch-last-week": {"json": {"sql": "", "explanation": "I cannot tell."}},  # fail: declined
    "unanswerable-weather": {"json": {"sql": "SELECT 1", "explanation": "Sunny."}},  # fail: it answered
    # pass: the gold rows, columns in another order and named otherwise
    "average-delay-by-route": {"json": {"sql": "SELECT round(avg(delay_minutes), 1) AS m, route_name AS r "
                                               "FROM reporting_trips WHERE status IN ('departed', 'arrived') "
                                               "AND service_date BETWEEN '2026-05-18' AND '2026-06-14' GROUP BY r",
                                        "explanation": "Average delay per route."}},
}


def test_with_the_model_the_accuracy_is_the_cases_whose_sql_gave_the_gold_rows(gemini, tmp_path):
    cases = evaluation_set().cases
    for case in cases:
        gemini.answer(**SCRIPTED.get(case.id, {"json": {"sql": case.sql, "explanation": "Gold."}}))
    report_file = tmp_path / "report.json"

    report = evaluate("--model", "--json", str(report_file))

    got = outcomes(report)
    assert {case_id: got[case_id] for case_id in SCRIPTED} == {
        "seats-yesterday": "fail", "revenue-last-week": "refused", "seats-by-channel-last-week": "error",
        "busiest-day": "error", "top-stretch-last-week": "fail", "unanswerable-weather": "fail",
        "average-delay-by-route": "pass"}
    assert [case_id for case_id, outcome in got.items() if outcome != "pass"] == [
        "seats-yesterday", "revenue-last-week", "seats-by-channel-last-week", "busiest-day",
        "top-stretch-last-week", "unanswerable-weather"]
    assert len(cases) == 39
    assert report.splitlines()[-1] == "Execution accuracy: 33/39 (84.6%); 33 pass, 3 fail, 1 refused, 2 error"
    lines = {line.split()[1]: line for line in report.splitlines()[1:-1]}
    assert "relation_not_allowed: ticketing_booking is not a reporting view" in lines["revenue-last-week"]
    assert "query_failed" in lines["seats-by-channel-last-week"] and "no_such_column" in lines[
        "seats-by-channel-last-week"]
    assert "ai_provider_unavailable" in lines["busiest-day"]
    assert "the model declined: I cannot tell." in lines["top-stretch-last-week"]
    assert "answered a question the views cannot answer" in lines["unanswerable-weather"]
    assert "other rows: got [[35]], expected [[61]]" in lines["seats-yesterday"]
    assert len(gemini.requests()) == len(cases)
    assert "Today is Monday 2026-06-15 in the company's time zone, Africa/Nairobi." in (
        gemini.requests()[0]["body"]["systemInstruction"]["parts"][0]["text"])
    written = json.loads(report_file.read_text(encoding="utf-8"))
    assert (written["mode"], written["model"], written["passed"], written["total"], written["accuracy"]) == (
        "model", "gemini-2.5-flash", 33, 39, 0.8462)
    assert written["counts"] == {"pass": 33, "fail": 3, "refused": 1, "error": 2}
    refused = next(case for case in written["cases"] if case["id"] == "revenue-last-week")
    assert (refused["outcome"], refused["sql"], refused["rows"]) == ("refused", "SELECT * FROM ticketing_booking",
                                                                     None)
    passed = next(case for case in written["cases"] if case["id"] == "seats-per-day-last-week")
    assert passed["rows"][-1] == ["2026-06-14", "61"] and passed["reason"] == ""


def test_the_model_run_needs_a_key(settings):
    settings.GEMINI_API_KEY = ""
    with pytest.raises(CommandError, match="GEMINI_API_KEY"):
        evaluate("--model")
