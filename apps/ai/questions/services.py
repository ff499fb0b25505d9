"""Questions asked and re-run: the limits, the model's draft, the guard, the run, the answer, and one log row for
each, whatever happens.

Nothing here holds a transaction open around the work: guarded_run's own transaction has ended (rolled back) by
the time its error arrives, so the log row is written on its own and stays, even when the request fails.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings

from apps.ai.gemini.client import sql_draft
from apps.ai.gemini.errors import ProviderError
from apps.ai.gemini.prompt import schema_prompt
from apps.ai.guard.checks import sql_check
from apps.ai.guard.errors import QueryFailed, QueryPermissionDenied, QueryTimedOut, SqlRefused
from apps.ai.guard.executor import JsonValue, guarded_run
from apps.ai.models import Question
from apps.ai.permissions import ASK_QUESTIONS
from apps.ai.questions import limits
from apps.ai.questions.asker import asker_of, asking_company
from apps.ai.questions.charts import answer_chart
from apps.ai.questions.clock import CompanyClock, company_clock
from apps.ai.questions.errors import (
    NothingToRerun,
    QueryNotAnswered,
    QueryStopped,
    QuestionRefused,
    QuestionsLimited,
)
from apps.ai.questions.language import language_guess
from apps.ai.reporting.catalog import reporting_view_names, reporting_views
from transport.errors import DomainError
from transport.principal import Principal
from transport.tenancy import get_for

Decision = Question.Decision


@dataclass(frozen=True)
class QuestionAnswer:
    id: UUID
    company_id: UUID
    question: str
    language: str
    rerun_of: UUID | None
    sql: str
    columns: tuple[str, ...]
    rows: list[list[JsonValue]]
    row_count: int
    truncated: bool
    explanation: str
    chart: dict[str, Any] | None
    created_at: dt.datetime


@dataclass
class _Attempt:
    """What the log row will say, filled in as the question goes."""

    company_id: UUID
    user_id: UUID
    question: str
    language: str
    clock: CompanyClock  # the company's zone and today there: the prompt's dates, the run's TimeZone
    rerun_of: UUID | None = None
    sql_drafted: str = ""
    sql_run: str = ""
    explanation: str = ""
    proposed_chart: dict[str, Any] | None = None
    started: float = field(default_factory=time.monotonic)


def question_ask(*, principal: Principal, company_id: UUID | None, question: str) -> QuestionAnswer:
    """Answer `question` over the company's reporting views. Needs ai.ask_questions in the company (the
    principal's only one, unless `company_id` says which)."""
    company = asking_company(principal=principal, company_id=company_id)
    attempt = _Attempt(company_id=company, user_id=asker_of(principal), question=question,
                       language=language_guess(question), clock=company_clock(company_id=company))
    return _logged(attempt, lambda: _drafted_and_run(attempt))


def question_rerun(*, principal: Principal, question_id: UUID) -> QuestionAnswer:
    """Run a logged question's checked SQL again, checked again by today's guard, without asking the model.
    Counts against the limits like a question, and is logged as one (with `rerun_of`)."""
    original = get_for(principal, Question.objects.all(), question_id, ASK_QUESTIONS)
    if not original.sql_run:
        raise NothingToRerun("The question never got SQL that passed the guard; ask it again instead.")
    attempt = _Attempt(company_id=original.company_id, user_id=asker_of(principal), question=original.question,
                       language=original.language, clock=company_clock(company_id=original.company_id),
                       rerun_of=original.id, sql_drafted=original.sql_drafted,
                       explanation=original.explanation, proposed_chart=original.chart)
    return _logged(attempt, lambda: _run(attempt, original.sql_run))


def _drafted_and_run(attempt: _Attempt) -> QuestionAnswer:
    prompt = schema_prompt(reporting_views(), today=attempt.clock.today, time_zone=attempt.clock.time_zone)
    draft = sql_draft(question=attempt.question, schema_prompt=prompt)
    attempt.sql_drafted, attempt.explanation, attempt.proposed_chart = draft.sql, draft.explanation, draft.chart
    return _run(attempt, draft.sql)


def _run(attempt: _Attempt, sql: str) -> QuestionAnswer:
    checked = sql_check(sql, allowed_relations=reporting_view_names(), row_limit=settings.AI_ROW_LIMIT)
    attempt.sql_run = checked.sql
    result = guarded_run(checked, company_id=attempt.company_id, time_zone=attempt.clock.time_zone,
                         timeout_ms=settings.AI_STATEMENT_TIMEOUT_MS, max_rows=settings.AI_ROW_LIMIT)
    chart = answer_chart(attempt.proposed_chart, result.columns, result.rows)
    logged = _log(attempt, Decision.ANSWERED, row_count=len(result.rows), truncated=result.truncated, chart=chart)
    return QuestionAnswer(id=logged.id, company_id=logged.company_id, question=logged.question,
                          language=logged.language, rerun_of=attempt.rerun_of, sql=checked.sql,
                          columns=result.columns, rows=result.rows, row_count=len(result.rows),
                          truncated=result.truncated, explanation=attempt.explanation, chart=chart,
                          created_at=logged.created_at)


def _logged(attempt: _Attempt, work: Callable[[], QuestionAnswer]) -> QuestionAnswer:
    """Count the question, do the work; a question that ends without an answer is logged with its decision and
    reason, and raised as its problem."""
    try:
        limits.question_count(user_id=attempt.user_id, company_id=attempt.company_id)
        return work()
    except QuestionsLimited as exc:
        _log(attempt, Decision.RATE_LIMITED, reason_code=exc.code, reason=exc.detail)
        raise
    except ProviderError as exc:
        _log(attempt, Decision.PROVIDER_ERROR, reason_code=exc.code, reason=exc.detail)
        raise
    except SqlRefused as exc:
        _log(attempt, Decision.REFUSED, reason_code=exc.reason_code, reason=exc.message)
        raise QuestionRefused(reason_code=exc.reason_code, detail=exc.message) from exc
    except QueryPermissionDenied as exc:  # the reporting role held where the checks did not: still a refusal
        _log(attempt, Decision.REFUSED, reason_code=exc.code, reason=exc.message)
        raise QuestionRefused(reason_code=exc.code, detail="The query reads something outside the reporting "
                                                            "views.") from exc
    except QueryTimedOut as exc:
        _log(attempt, Decision.FAILED, reason_code=exc.code, reason=exc.message)
        raise QueryStopped(f"The query ran longer than {settings.AI_STATEMENT_TIMEOUT_MS} ms and was stopped; "
                           "ask a narrower question.") from exc
    except QueryFailed as exc:
        _log(attempt, Decision.FAILED, reason_code=exc.code, reason=exc.message)
        raise QueryNotAnswered(f"The query failed in the database: {exc.message}") from exc
    except DomainError as exc:
        _log(attempt, Decision.FAILED, reason_code=exc.code, reason=exc.detail)
        raise
    except Exception as exc:
        _log(attempt, Decision.FAILED, reason_code="internal_error", reason=type(exc).__name__)
        raise


def _log(attempt: _Attempt, decision: str, *, reason_code: str = "", reason: str = "", row_count: int | None = None,
         truncated: bool = False, chart: dict[str, Any] | None = None) -> Question:
    return Question.objects.create(
        company_id=attempt.company_id, user_id=attempt.user_id, question=attempt.question,
        language=attempt.language, rerun_of_id=attempt.rerun_of, sql_drafted=attempt.sql_drafted,
        sql_run=attempt.sql_run, decision=decision, reason_code=reason_code, reason=reason, row_count=row_count,
        truncated=truncated, explanation=attempt.explanation, chart=chart,
        duration_ms=round((time.monotonic() - attempt.started) * 1000))
