"""The Gemini emulator speaks as Google does where our client cannot tell (the key refusals' bodies), and its
scripts answer as the demo and the evaluation need: the queue first, then answers keyed by the question."""

from __future__ import annotations

import httpx
import pytest

from apps.ai.emulators.state import EMULATOR_API_KEY
from apps.ai.gemini.client import sql_draft
from apps.ai.gemini.errors import QuestionDeclined

PATH = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = {"contents": [{"role": "user", "parts": [{"text": "Seats sold yesterday?"}]}]}
SALES_BY_DAY = {"sql": "SELECT sold_on, count(*) FROM reporting_seat_sales GROUP BY 1", "explanation": "By day."}
LATE_TRIPS = {"sql": "SELECT trip_id FROM reporting_trip_delays WHERE delay_minutes > 30", "explanation": "Late."}


def _sql(question: str) -> str:
    return sql_draft(question=question, schema_prompt="Views: ...").sql


def test_no_key_is_403_permission_denied_and_an_unknown_key_400_invalid_argument(gemini):
    with httpx.Client(base_url=gemini.base_url) as http:
        without = http.post(PATH, json=BODY)
        unknown = http.post(PATH, json=BODY, headers={"x-goog-api-key": "guess"})

    assert without.status_code == 403
    assert without.json()["error"]["status"] == "PERMISSION_DENIED"
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                       "status": "INVALID_ARGUMENT"}


def test_an_answer_carries_the_usage_metadata(gemini):
    gemini.answer(json=SALES_BY_DAY)

    with httpx.Client(base_url=gemini.base_url) as http:
        answer = http.post(PATH, json=BODY, headers={"x-goog-api-key": EMULATOR_API_KEY}).json()

    [candidate] = answer["candidates"]
    assert candidate["finishReason"] == "STOP"
    assert candidate["content"]["role"] == "model"
    usage = answer["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"] > 0


def test_keyed_answers_match_a_substring_of_the_question_whatever_its_case(gemini):
    gemini.answer(json=SALES_BY_DAY, when="sales last week by day")
    gemini.answer(json=LATE_TRIPS, when="more than 30 minutes late")

    assert _sql("Which trips ran more than 30 minutes late this month?") == LATE_TRIPS["sql"]
    assert _sql("Show SALES LAST WEEK BY DAY please") == SALES_BY_DAY["sql"]
    assert _sql("sales last week by day, again") == SALES_BY_DAY["sql"]  # times 0: for good


def test_a_queued_answer_comes_first_once_then_the_keyed_one(gemini):
    gemini.answer(json=SALES_BY_DAY, when="late")
    gemini.answer(json=LATE_TRIPS)

    assert _sql("Which trips were late?") == LATE_TRIPS["sql"]
    assert _sql("Which trips were late?") == SALES_BY_DAY["sql"]


def test_a_keyed_answer_with_times_is_used_up(gemini):
    gemini.answer(json=SALES_BY_DAY, when="sales", times=1)

    assert _sql("sales by day") == SALES_BY_DAY["sql"]
    with pytest.raises(QuestionDeclined) as raised:
        _sql("sales by day")
    assert raised.value.detail == "The emulator has no answer scripted for this question."


@pytest.mark.parametrize("script", [{"outcome": "shrug"}, {"outcome": "answer"},
                                    {"outcome": "http_error", "status": 200}, {"outcome": "answer", "delay": "x"}])
def test_a_bad_script_is_refused_and_changes_nothing(gemini, script):
    with httpx.Client(base_url=gemini.base_url) as http:
        response = http.post("/_emu/answers", json=script)

    assert response.status_code == 400
    with pytest.raises(QuestionDeclined):
        _sql("anything")
