"""The answers `make run`'s Gemini emulator starts with (`--demo-answers`): each demo case of the evaluation set
(apps/ai/evaluation/cases.toml, `demo = true`) answered with its gold SQL whenever its question is asked, so the
demo's questions get answers on the demo companies' history with no key."""

from __future__ import annotations

from apps.ai.emulators.state import Answer
from apps.ai.evaluation.cases import evaluation_set


def demo_answers() -> list[Answer]:
    return [Answer(json={"sql": case.sql, "explanation": case.explanation}, when=case.question)
            for case in evaluation_set().demo_cases()]
