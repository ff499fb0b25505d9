"""The questions endpoints over HTTP, with the real Gemini client against its emulator (scripted SQL), the real guard
and the real reporting role: answers with rows and a chart; refusals, provider failures and limits as clear
problems; every well-formed question logged with its decision, whatever happened."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.ai.models import Question
from apps.ai.tests.runs import committed_questions

pytestmark = committed_questions

URL = "/api/v1/ai/questions"
BY_STATE = "SELECT state, count(*) AS bookings FROM reporting_sales GROUP BY state ORDER BY state"


def ask(company, question: str = "How many bookings by state?", who: str = "dispatcher", **extra):
    return company.world.client(who).post(URL, {"question": question, **extra}, format="json")


def rerun(company, question_id, who: str = "dispatcher"):
    return company.world.client(who).post(f"{URL}/{question_id}/rerun", format="json")


def booking_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ticketing_booking")
        return cursor.fetchone()[0]


def logged(company) -> list[tuple[str, str]]:
    return [(q.decision, q.reason_code) for q in Question.objects.filter(company_id=company.company_id)]


def test_a_question_is_answered_with_its_companys_rows_a_chart_and_a_log_row(gemini, ours, theirs):
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."})

    answer = ask(ours)

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["columns"] == ["state", "bookings"]
    assert body["rows"] == [["confirmed", 2]]  # theirs has 3: never counted here
    assert (body["row_count"], body["truncated"], body["explanation"]) == (1, False, "Bookings per state.")
    assert body["sql"].endswith("LIMIT 500")
    assert body["chart"]["mark"] == "bar"
    assert body["chart"]["encoding"]["x"] == {"field": "state", "type": "nominal"}
    entry = Question.objects.get(pk=body["id"])
    assert (entry.decision, entry.sql_drafted, entry.sql_run, entry.row_count, entry.language) == (
        "answered", BY_STATE, body["sql"], 1, "en")
    assert entry.user_id == ours.world.users["dispatcher"].pk
    assert gemini.requests()[0]["question"] == "How many bookings by state?"


@pytest.mark.parametrize(("sql", "code"), [
    ("DROP TABLE ticketing_booking", "ai_sql_not_a_query"),
    ("DELETE FROM ticketing_booking", "ai_sql_not_a_query"),
    ("SELECT pg_sleep(30)", "ai_sql_function_not_allowed"),
    ("SELECT * FROM ticketing_booking", "ai_sql_relation_not_allowed"),
    ("SELECT 1; SELECT 2", "ai_sql_not_one_statement"),
])
def test_refused_sql_is_a_422_with_its_reason_logged_and_nothing_run(gemini, ours, sql, code):
    before = booking_count()
    gemini.answer(json={"sql": sql, "explanation": "Whatever."})

    refused = ask(ours)

    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == code
    entry = Question.objects.get(company_id=ours.company_id)
    assert (entry.decision, entry.reason_code, entry.sql_drafted, entry.sql_run) == (
        "refused", code.removeprefix("ai_sql_"), sql, "")
    assert entry.reason
    assert booking_count() == before


def test_a_runaway_query_is_stopped_as_a_422_and_logged_failed(gemini, ours, settings):
    settings.AI_STATEMENT_TIMEOUT_MS = 100
    gemini.answer(json={"sql": "SELECT count(*) FROM reporting_sales a, reporting_sales b, generate_series(1, "
                               "100000000) AS g", "explanation": "Many."})

    stopped = ask(ours)

    assert stopped.status_code == 422
    assert stopped.json()["code"] == "ai_query_timeout"
    assert logged(ours) == [("failed", "query_timeout")]


@pytest.mark.parametrize(("script", "status", "code"), [
    ({"outcome": "http_error", "status": 429}, 429, "ai_provider_busy"),
    ({"outcome": "http_error", "status": 500}, 503, "ai_provider_unavailable"),
    ({"outcome": "http_error", "status": 503}, 503, "ai_provider_unavailable"),
    ({"outcome": "safety"}, 422, "ai_answer_blocked"),
    ({"outcome": "malformed"}, 502, "ai_answer_malformed"),
    ({"outcome": "answer", "json": {"sql": "", "explanation": "No view has weather."}}, 422, "ai_question_declined"),
])
def test_the_providers_failures_are_clear_problems_and_logged(gemini, ours, script, status, code):
    gemini.answer(**script)

    failed = ask(ours)

    assert failed.status_code == status
    assert failed["Content-Type"] == "application/problem+json"
    assert failed.json()["code"] == code
    assert logged(ours) == [("provider_error", code)]


def test_the_providers_429_passes_its_retry_delay_on(gemini, ours):
    gemini.answer("http_error", status=429)

    assert ask(ours)["Retry-After"] == "20"


def test_past_the_users_hourly_limit_a_429_with_retry_after_and_no_model_call(gemini, ours, settings):
    settings.AI_QUESTIONS_PER_USER_PER_HOUR = 2
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."}, when="bookings", times=0)

    answers = [ask(ours) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "ai_rate_limited"
    assert 3500 <= int(answers[2]["Retry-After"]) <= 3600
    assert len(gemini.requests()) == 2
    assert sorted(logged(ours)) == [("answered", ""), ("answered", ""), ("rate_limited", "ai_rate_limited")]


def test_the_companys_daily_limit_counts_its_staff_together_but_not_refused_questions(gemini, ours, settings):
    settings.AI_QUESTIONS_PER_USER_PER_HOUR = 2
    settings.AI_QUESTIONS_PER_COMPANY_PER_DAY = 3
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."}, when="bookings", times=0)

    statuses = [ask(ours, who=who).status_code for who in ("company_admin",) * 3 + ("dispatcher",)]
    over_company = ask(ours, who="dispatcher")

    # the admin's refused third question did not use the company's day: the dispatcher's first still passed
    assert statuses == [200, 200, 429, 200]
    assert over_company.status_code == 429
    assert over_company.json()["detail"] == "Too many questions: your company may ask 3 a day."
    assert 86_300 <= int(over_company["Retry-After"]) <= 86_400
    assert len(gemini.requests()) == 3


@pytest.mark.parametrize("body", [
    {"question": ""}, {"question": "   "}, {"question": "x" * 501}, {"question": "a\x00b"}, {"question": 42},
    {"question": ["How many?"]}, {"question": None}, {}, {"question": "How many?", "sql": "SELECT 1"},
    {"question": "How many?", "company_id": "not-a-uuid"},
])
def test_bad_input_is_a_400_and_nothing_is_logged_nor_asked(gemini, ours, body):
    refused = ours.world.client("dispatcher").post(URL, body, format="json")

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert Question.objects.count() == 0
    assert gemini.requests() == []


def test_only_staff_who_may_ask_ask_and_never_for_another_company(gemini, ours, theirs):
    by_agent = ask(ours, who="agent")
    by_passenger = ask(ours, who="passenger")
    anonymous = ours.world.client(None).post(URL, {"question": "How many?"}, format="json")
    for_theirs = ask(ours, company_id=str(theirs.company_id))

    assert (by_agent.status_code, by_passenger.status_code, anonymous.status_code) == (403, 403, 401)
    assert for_theirs.status_code == 404
    assert Question.objects.count() == 0
    assert gemini.requests() == []


def test_the_history_is_the_companys_newest_first_and_others_see_none_of_it(gemini, ours, theirs):
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."})
    gemini.answer(json={"sql": "SELECT pg_sleep(1)", "explanation": "Sleep."})
    gemini.answer(json={"sql": BY_STATE, "explanation": "Theirs."})
    first = ask(ours, "How many bookings by state?").json()
    ask(ours, "Sleep a while?", who="company_admin")
    ask(theirs, "And ours?")

    history = ours.world.client("company_admin").get(URL)
    their_history = theirs.world.client("dispatcher").get(URL)
    foreign = theirs.world.client("dispatcher").get(URL, {"company_id": str(ours.company_id)})

    assert history.status_code == 200
    results = history.json()["results"]
    assert [(q["question"], q["decision"], q["reason_code"]) for q in results] == [
        ("Sleep a while?", "refused", "function_not_allowed"), ("How many bookings by state?", "answered", "")]
    assert results[1]["id"] == first["id"] and results[1]["sql"] == first["sql"]
    assert [q["question"] for q in their_history.json()["results"]] == ["And ours?"]
    assert foreign.status_code == 404
    assert ours.world.client("agent").get(URL).status_code == 403


def test_a_rerun_runs_the_checked_sql_again_without_the_model_and_is_logged(gemini, ours):
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."})
    first = ask(ours).json()

    again = rerun(ours, first["id"], who="company_admin")

    assert again.status_code == 200
    body = again.json()
    assert (body["rows"], body["sql"], body["rerun_of"], body["explanation"]) == (
        [["confirmed", 2]], first["sql"], first["id"], "Bookings per state.")
    assert body["chart"] == first["chart"]
    assert len(gemini.requests()) == 1
    entry = Question.objects.get(pk=body["id"])
    assert (entry.decision, str(entry.rerun_of_id), entry.user_id) == (
        "answered", first["id"], ours.world.users["company_admin"].pk)


def test_another_companys_staff_cannot_rerun_and_a_refused_question_has_nothing_to_rerun(gemini, ours, theirs):
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."})
    gemini.answer(json={"sql": "SELECT pg_sleep(1)", "explanation": "Sleep."})
    answered = ask(ours).json()
    refused = ask(ours, "Sleep?")

    foreign = rerun(theirs, answered["id"])
    nothing = rerun(ours, Question.objects.get(question="Sleep?").pk)

    assert refused.status_code == 422
    assert foreign.status_code == 404
    assert (nothing.status_code, nothing.json()["code"]) == (409, "ai_nothing_to_rerun")
    assert Question.objects.count() == 2


def test_reruns_count_against_the_limits(gemini, ours, settings):
    settings.AI_QUESTIONS_PER_USER_PER_HOUR = 1
    gemini.answer(json={"sql": BY_STATE, "explanation": "Bookings per state."})
    first = ask(ours).json()

    limited = rerun(ours, first["id"])

    assert limited.status_code == 429
    assert sorted(logged(ours)) == [("answered", ""), ("rate_limited", "ai_rate_limited")]
