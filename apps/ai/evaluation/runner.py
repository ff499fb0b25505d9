"""The evaluation's two runs over the evaluation company's data, each case through the same guard as a question:

- offline: each case's gold SQL passes sql_check and guarded_run and gives the case's expected rows;
- with the model: the model, asked each question through the real client and prompt (today pinned to the set's
  clock), writes SQL that the guard runs; it passes when its rows are the gold SQL's rows on the same data.

Both pin the SQL's clock (current_date, now()) to the set's `now`, as the prompt tells the model, so "yesterday"
means the same day whenever the evaluation runs. No question is logged and no limit counted: this is not a user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from django.conf import settings

from apps.ai.evaluation.cases import EvaluationCase, EvaluationSet
from apps.ai.evaluation.rows import rows_differ
from apps.ai.gemini.client import sql_draft
from apps.ai.gemini.errors import ProviderError, QuestionDeclined
from apps.ai.gemini.prompt import schema_prompt
from apps.ai.guard.checks import sql_check
from apps.ai.guard.clock import clock_pinned
from apps.ai.guard.errors import QueryFailed, SqlRefused
from apps.ai.guard.executor import JsonValue, QueryResult, guarded_run
from apps.ai.questions.clock import CompanyClock, company_clock
from apps.ai.reporting.catalog import reporting_view_names, reporting_views

Outcome = Literal["pass", "fail", "refused", "error"]


@dataclass(frozen=True)
class CaseResult:
    id: str
    question: str
    outcome: Outcome
    reason: str  # why it did not pass, or what passing meant for a case without SQL
    sql: str  # what ran (the gold SQL offline, the model's with it), as checked; empty if nothing did
    rows: list[list[JsonValue]] | None  # what it gave, when it ran


@dataclass(frozen=True)
class EvaluationReport:
    mode: Literal["offline", "model"]
    model: str | None
    company_id: UUID
    time_zone: str
    today: str
    now: str
    results: tuple[CaseResult, ...] = field(default=())

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.outcome == "pass")

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def counts(self) -> dict[str, int]:
        return {outcome: sum(1 for result in self.results if result.outcome == outcome)
                for outcome in ("pass", "fail", "refused", "error")}


class _Run:
    """Checked SQL of one case, run for the evaluation company at the set's clock."""

    def __init__(self, evaluation: EvaluationSet, company_id: UUID) -> None:
        self.evaluation = evaluation
        self.company_id = company_id
        self.clock: CompanyClock = company_clock(company_id=company_id, now=evaluation.now)
        self.views = reporting_view_names()

    def guarded(self, sql: str) -> tuple[str, QueryResult]:
        checked = clock_pinned(sql_check(sql, allowed_relations=self.views, row_limit=settings.AI_ROW_LIMIT),
                               now=self.evaluation.now, time_zone=self.clock.time_zone)
        return checked.sql, guarded_run(checked, company_id=self.company_id, time_zone=self.clock.time_zone,
                                        timeout_ms=settings.AI_STATEMENT_TIMEOUT_MS, max_rows=settings.AI_ROW_LIMIT)

    def report(self, mode: Literal["offline", "model"], results: list[CaseResult]) -> EvaluationReport:
        return EvaluationReport(mode=mode, model=settings.GEMINI_MODEL if mode == "model" else None,
                                company_id=self.company_id, time_zone=self.clock.time_zone,
                                today=self.clock.today.isoformat(), now=self.evaluation.now.isoformat(),
                                results=tuple(results))


def offline_evaluation(evaluation: EvaluationSet, *, company_id: UUID) -> EvaluationReport:
    """Every case's gold SQL through the guard, its rows against the case's expected rows."""
    run = _Run(evaluation, company_id)
    return run.report("offline", [_offline_case(run, case) for case in evaluation.cases])


def _offline_case(run: _Run, case: EvaluationCase) -> CaseResult:
    if not case.answerable:
        return _result(case, "pass", "no SQL: the views cannot answer it (the model must decline)")
    try:
        sql, result = run.guarded(case.sql)
    except SqlRefused as exc:
        return _result(case, "refused", f"{exc.reason_code}: {exc.message}")
    except QueryFailed as exc:
        return _result(case, "error", f"{exc.code}: {exc.message}")
    differ = rows_differ(case.rows, result.rows, ordered=case.ordered)
    return _result(case, "fail" if differ else "pass", differ or "", sql=sql, rows=result.rows)


def model_evaluation(evaluation: EvaluationSet, *, company_id: UUID) -> EvaluationReport:
    """Every question to the configured model (settings.GEMINI_*), its SQL through the guard, its rows against the
    gold SQL's rows on the same data: execution accuracy."""
    run = _Run(evaluation, company_id)
    prompt = schema_prompt(reporting_views(), today=run.clock.today, time_zone=run.clock.time_zone)
    return run.report("model", [_model_case(run, case, prompt) for case in evaluation.cases])


def _model_case(run: _Run, case: EvaluationCase, prompt: str) -> CaseResult:
    try:
        draft = sql_draft(question=case.question, schema_prompt=prompt)
    except QuestionDeclined as exc:
        if case.answerable:
            return _result(case, "fail", f"the model declined: {exc.detail}")
        return _result(case, "pass", f"declined, as the views cannot answer it: {exc.detail}")
    except ProviderError as exc:
        return _result(case, "error", f"{exc.code}: {exc.detail}")
    try:
        sql, result = run.guarded(draft.sql)
    except SqlRefused as exc:
        return _result(case, "refused", f"{exc.reason_code}: {exc.message}", sql=draft.sql)
    except QueryFailed as exc:
        return _result(case, "error", f"{exc.code}: {exc.message}", sql=draft.sql)
    if not case.answerable:
        return _result(case, "fail", "answered a question the views cannot answer", sql=sql, rows=result.rows)
    try:
        _gold_sql, gold = run.guarded(case.sql)
    except (SqlRefused, QueryFailed) as exc:
        return _result(case, "error", f"the gold SQL did not run: {exc}", sql=sql, rows=result.rows)
    differ = rows_differ(gold.rows, result.rows, ordered=case.ordered, any_column_order=True)
    return _result(case, "fail" if differ else "pass", differ or "", sql=sql, rows=result.rows)


def _result(case: EvaluationCase, outcome: Outcome, reason: str, *, sql: str = "",
            rows: list[list[Any]] | None = None) -> CaseResult:
    return CaseResult(id=case.id, question=case.question, outcome=outcome, reason=reason, sql=sql, rows=rows)
