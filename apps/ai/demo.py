"""Demo of ai for `make run`: a question in plain language, asked as the demo company admin. With no Gemini key,
the local emulator answers the demo's questions (the evaluation set's demo cases) with their gold SQL, over the
demo companies' operating history; with GEMINI_API_KEY the real model writes the SQL. Runs after notification's
walkthrough."""

from __future__ import annotations

import json

from apps.ai.evaluation.cases import evaluation_set
from transport.demo import DemoOutput, demo_seeder

WALKTHROUGH_COMPANY = "alpha"
WALKTHROUGH_CASE = "seats-by-channel-last-week"


@demo_seeder(order=60)
def walkthrough(out: DemoOutput) -> None:
    out.add_walkthrough(walkthrough_lines())


def walkthrough_lines() -> list[str]:
    demo_cases = evaluation_set().demo_cases()
    question = next(case.question for case in demo_cases if case.id == WALKTHROUGH_CASE)
    admin = f"company-admin@{WALKTHROUGH_COMPANY}.demo.transport.dev"
    body = json.dumps({"question": question})
    return [
        "  # 5. ask about the last weeks in plain language, as the company admin: the answer is the SQL that ran,",
        "  #    its rows and a sentence (the local Gemini emulator answers the demo's questions; set GEMINI_API_KEY",
        "  #    for the real model)",
        f"  curl $BASE/api/v1/ai/questions -H 'Content-Type: application/json' "
        f"-H \"Authorization: Bearer $(token {admin})\" -d '{body}'",
        "  #    the demo's other questions:",
        *(f"  #      {case.question}" for case in demo_cases if case.id != WALKTHROUGH_CASE),
        "  #    every question asked, its SQL and the guard's decision: {base}/admin/ai/question/",
    ]
