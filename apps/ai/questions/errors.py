"""How a question ends when it gets no answer, as problems. The model's own failures are apps.ai.gemini.errors;
these are the guard's, the database's and the limits'."""

from __future__ import annotations

from transport.errors import Conflict, DomainError, LimitExceeded


class QuestionsLimited(LimitExceeded):
    code = "ai_rate_limited"
    title = "Too many questions"


class QuestionRefused(DomainError):
    """The guard (or the reporting role) refused the model's SQL: nothing ran. The code names the reason,
    `ai_sql_<reason_code>` (ai_sql_forbidden_statement, ai_sql_function_not_allowed, ...), as logged."""

    status = 422
    code = "ai_sql_refused"
    title = "The question's SQL was refused"

    def __init__(self, *, reason_code: str, detail: str) -> None:
        super().__init__(detail, code=f"ai_sql_{reason_code}")


class QueryStopped(DomainError):
    """The checked SQL ran past AI_STATEMENT_TIMEOUT_MS and the database stopped it. A 422, not a 408 or 504:
    the client sent its request in time and no gateway failed; the question asked for too much work."""

    status = 422
    code = "ai_query_timeout"
    title = "The question's query ran too long"


class QueryNotAnswered(DomainError):
    """The checked SQL failed in the database (a column the view does not have, a bad cast)."""

    status = 422
    code = "ai_query_failed"
    title = "The question's query failed"


class NothingToRerun(Conflict):
    """The question never got checked SQL (the model or the guard stopped it), so there is nothing to run again."""

    code = "ai_nothing_to_rerun"
    title = "This question has no SQL to run again"
