"""The evaluation set as its data file holds it: where its data comes from (the demo companies seeded at a pinned
anchor, the clock the questions are asked at) and its cases, each a question with its gold SQL and expected rows.

Plain Python, no Django: the Gemini emulator reads the demo cases from here to script its answers for `make run`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES_FILE = Path(__file__).with_name("cases.toml")
LANGUAGES = frozenset({"en", "sw"})


class CasesInvalid(ValueError):
    """The data file does not say what an evaluation set must."""


@dataclass(frozen=True)
class EvaluationCase:
    id: str
    question: str
    language: str  # en or sw
    sql: str  # the gold SQL; empty: the views cannot answer, the model must say so
    rows: tuple[tuple[Any, ...], ...]  # the gold SQL's rows on the evaluation data, literal values
    ordered: bool  # the rows' order is part of the answer (ORDER BY ... LIMIT n)
    tags: tuple[str, ...]
    demo: bool  # `make run`'s Gemini emulator answers it with the gold SQL
    explanation: str  # what the emulator says the gold SQL computes (demo cases)
    note: str  # how the expected rows were checked, or why the case is there

    @property
    def answerable(self) -> bool:
        return bool(self.sql)


@dataclass(frozen=True)
class EvaluationSet:
    company: str  # demo_company slug of the company whose questions these are
    neighbour: str  # another demo company's slug, seeded alike: its rows must never show
    anchor: dt.date  # the history is the `days` local days before it
    days: int
    now: dt.datetime  # when the questions are asked (aware): the prompt's today, the SQL's clock
    cases: tuple[EvaluationCase, ...]

    def demo_cases(self) -> tuple[EvaluationCase, ...]:
        return tuple(case for case in self.cases if case.demo)


def evaluation_set(path: Path = CASES_FILE) -> EvaluationSet:
    """The set in `path` (TOML), checked: CasesInvalid says what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CasesInvalid(f"{path}: {exc}") from exc
    head = data.get("evaluation")
    if not isinstance(head, dict):
        raise CasesInvalid(f"{path}: no [evaluation] table.")
    now = head.get("now")
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise CasesInvalid(f"{path}: evaluation.now must be a date-time with its offset.")
    if not isinstance(head.get("anchor"), dt.date):
        raise CasesInvalid(f"{path}: evaluation.anchor must be a date.")
    cases = tuple(_case(raw, index) for index, raw in enumerate(data.get("case", [])))
    ids = [case.id for case in cases]
    duplicated = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicated:
        raise CasesInvalid(f"{path}: case ids used twice: {', '.join(duplicated)}.")
    return EvaluationSet(company=str(head["company"]), neighbour=str(head["neighbour"]), anchor=head["anchor"],
                         days=int(head.get("days", 28)), now=now, cases=cases)


def _case(raw: Any, index: int) -> EvaluationCase:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("question"):
        raise CasesInvalid(f"case #{index + 1}: an id and a question are required.")
    case_id = str(raw["id"])
    language = str(raw.get("language", "en"))
    if language not in LANGUAGES:
        raise CasesInvalid(f"case {case_id}: language is one of {', '.join(sorted(LANGUAGES))}.")
    rows = raw.get("rows", [])
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise CasesInvalid(f"case {case_id}: rows is a list of rows, each a list of values.")
    sql = str(raw.get("sql", "")).strip()
    if not sql and rows:
        raise CasesInvalid(f"case {case_id}: a case without SQL (the views cannot answer) has no rows.")
    return EvaluationCase(id=case_id, question=str(raw["question"]).strip(), language=language, sql=sql,
                          rows=tuple(tuple(row) for row in rows), ordered=bool(raw.get("ordered", False)),
                          tags=tuple(str(tag) for tag in raw.get("tags", [])), demo=bool(raw.get("demo", False)),
                          explanation=str(raw.get("explanation", "")).strip(), note=str(raw.get("note", "")).strip())
