"""The real google-genai client against the Gemini emulator: a draft parsed from the model's JSON, and every way the
provider fails turned into our typed error (its problem's status), never the SDK's exception."""

from __future__ import annotations

import pytest

from apps.ai.emulators.state import EMULATOR_API_KEY
from apps.ai.gemini.client import DRAFT_SCHEMA, Draft, sql_draft
from apps.ai.gemini.errors import (
    AnswerBlocked,
    AnswerMalformed,
    ProviderBusy,
    ProviderRefused,
    ProviderUnavailable,
    QuestionDeclined,
)
from transport.testing.network import free_port

QUESTION = "How many seats did we sell on Nairobi-Kisumu last week, by day?"
SCHEMA_PROMPT = "Views:\n\nreporting_seat_sales: one row per seat sold."
SQL = "SELECT sold_on, count(*) AS seats FROM reporting_seat_sales GROUP BY sold_on ORDER BY sold_on"
CHART = {"mark": "bar", "encoding": {"x": {"field": "sold_on", "type": "temporal"},
                                     "y": {"field": "seats", "type": "quantitative"}}}


def _draft() -> Draft:
    return sql_draft(question=QUESTION, schema_prompt=SCHEMA_PROMPT)


def test_the_models_json_answer_becomes_a_draft(gemini):
    gemini.answer(json={"sql": SQL, "explanation": "Seats sold per day last week.", "chart": CHART})

    draft = _draft()

    assert draft == Draft(sql=SQL, explanation="Seats sold per day last week.", chart=CHART)


def test_an_answer_without_a_chart_has_none(gemini):
    gemini.answer(json={"sql": SQL, "explanation": "Seats sold per day."})

    assert _draft().chart is None


def test_the_request_names_the_model_carries_the_key_and_asks_for_the_json_schema_at_temperature_0(gemini, settings):
    settings.GEMINI_MODEL = "gemini-test-flash"
    gemini.answer(json={"sql": SQL, "explanation": "Seats sold per day."})

    _draft()

    [received] = gemini.requests()
    assert received["model"] == "gemini-test-flash"
    assert received["api_key"] == EMULATOR_API_KEY
    assert received["question"] == QUESTION
    body = received["body"]
    assert body["contents"] == [{"role": "user", "parts": [{"text": QUESTION}]}]
    assert body["systemInstruction"]["parts"] == [{"text": SCHEMA_PROMPT}]
    assert body["generationConfig"]["temperature"] == 0
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert body["generationConfig"]["responseJsonSchema"] == DRAFT_SCHEMA


def test_a_429_is_provider_busy_with_googles_retry_delay(gemini):
    gemini.answer("http_error", status=429)

    with pytest.raises(ProviderBusy) as raised:
        _draft()

    assert (raised.value.status, raised.value.code, raised.value.retry_after) == (429, "ai_provider_busy", 20)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_provider_unavailable(gemini, status):
    gemini.answer("http_error", status=status)

    with pytest.raises(ProviderUnavailable) as raised:
        _draft()

    assert raised.value.status == 503
    assert str(status) in raised.value.detail
    assert len(gemini.requests()) == 1  # not retried


def test_a_safety_finish_is_answer_blocked(gemini):
    gemini.answer("safety")

    with pytest.raises(AnswerBlocked) as raised:
        _draft()

    assert (raised.value.status, raised.value.code) == (422, "ai_answer_blocked")
    assert "SAFETY" in raised.value.detail


def test_text_that_is_not_json_is_answer_malformed(gemini):
    gemini.answer("malformed")

    with pytest.raises(AnswerMalformed) as raised:
        _draft()

    assert (raised.value.status, raised.value.detail) == (502, "The model's answer is not the JSON asked for.")


def test_json_without_sql_is_answer_malformed(gemini):
    gemini.answer(json={"explanation": "Seats sold per day."})

    with pytest.raises(AnswerMalformed) as raised:
        _draft()

    assert raised.value.detail == "The model's answer has no SQL."


def test_no_candidate_is_answer_malformed(gemini):
    gemini.answer("empty")

    with pytest.raises(AnswerMalformed) as raised:
        _draft()

    assert raised.value.detail == "The model gave no answer."


def test_an_empty_sql_is_the_model_declining_with_its_explanation(gemini):
    gemini.answer(json={"sql": "", "explanation": "Hakuna data ya hali ya hewa katika ripoti hizi."})

    with pytest.raises(QuestionDeclined) as raised:
        _draft()

    assert (raised.value.status, raised.value.detail) == (422, "Hakuna data ya hali ya hewa katika ripoti hizi.")


def test_a_wrong_api_key_is_provider_refused(gemini, settings):
    settings.GEMINI_API_KEY = "not-the-key"

    with pytest.raises(ProviderRefused) as raised:
        _draft()

    assert raised.value.status == 502
    assert "400 INVALID_ARGUMENT" in raised.value.detail
    assert [received["api_key"] for received in gemini.requests()] == ["not-the-key"]


def test_an_answer_later_than_the_timeout_is_provider_unavailable(gemini, settings):
    settings.GEMINI_TIMEOUT_SECONDS = 0.3
    gemini.answer(json={"sql": SQL, "explanation": "Seats sold per day."}, delay=1.5)

    with pytest.raises(ProviderUnavailable) as raised:
        _draft()

    assert raised.value.detail == "The model did not answer in time; try again later."


def test_no_server_at_the_base_url_is_provider_unavailable(gemini, settings):
    settings.GEMINI_BASE_URL = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(ProviderUnavailable) as raised:
        _draft()

    assert raised.value.detail == "The model could not be reached; try again later."


def test_no_key_configured_is_provider_unavailable_and_asks_nothing(gemini, settings):
    settings.GEMINI_API_KEY = ""

    with pytest.raises(ProviderUnavailable):
        _draft()

    assert gemini.requests() == []
