"""What `make run` relies on: the Gemini emulator stands in when no key is configured, with a key it accepts, and
a real key alone (the base URL left to Google's) starts no emulator; it answers the demo's questions."""

from __future__ import annotations

import pytest

from apps.ai.emulators import gemini as gemini_emulator
from apps.ai.emulators.state import EMULATOR_API_KEY
from apps.ai.evaluation.cases import evaluation_set
from apps.ai.gemini.client import sql_draft
from apps.ai.gemini.errors import QuestionDeclined
from transport.emulators.serving import EmulatorServer
from transport.management.emulators import local_emulators


def _gemini(environ: dict[str, str]) -> list[dict[str, str]]:
    return [emulator.env for emulator in local_emulators(environ) if emulator.name == "gemini-emulator"]


def test_with_no_key_the_emulator_stands_in_for_the_key_and_the_base_url():
    [started] = [emulator for emulator in local_emulators({}) if emulator.name == "gemini-emulator"]

    assert started.argv[:2] == ["-m", "apps.ai.emulators.gemini"]
    assert started.env == {"GEMINI_BASE_URL": started.base_url, "GEMINI_API_KEY": EMULATOR_API_KEY}


def test_a_real_key_alone_starts_no_emulator():
    assert _gemini({"GEMINI_API_KEY": "AIza-a-real-key"}) == []
    assert _gemini({"GEMINI_BASE_URL": "http://127.0.0.1:8030"}) != []  # a base URL alone: still no key


def test_make_run_starts_the_emulator_with_the_demo_answers():
    [started] = [emulator for emulator in local_emulators({}) if emulator.name == "gemini-emulator"]
    assert started.argv[-1] == "--demo-answers"


def test_the_emulator_with_the_demo_answers_answers_each_demo_question_with_its_gold_sql_for_good(settings):
    demo_cases = evaluation_set().demo_cases()
    with EmulatorServer(gemini_emulator.create_app(with_demo_answers=True)) as server:
        settings.GEMINI_BASE_URL, settings.GEMINI_API_KEY = server.base_url, EMULATOR_API_KEY
        answered = [sql_draft(question=case.question, schema_prompt="Views: ...") for case in [*demo_cases,
                                                                                                 *demo_cases]]
        with pytest.raises(QuestionDeclined):  # anything else: unscripted, as without the option
            sql_draft(question="How many litres of fuel did our buses use last week?", schema_prompt="Views: ...")

    assert [(draft.sql, draft.explanation) for draft in answered] == [
        (case.sql, case.explanation) for case in [*demo_cases, *demo_cases]]
