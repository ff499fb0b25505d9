"""What can go wrong asking the model, as domain errors: each becomes its problem+json answer (status, stable code,
a detail a company's staff can act on), so a provider's trouble is never a 500. Catch ProviderError for all."""

from __future__ import annotations

from transport.errors import DomainError


class ProviderError(DomainError):
    status = 502
    code = "ai_provider_error"
    title = "The question could not be answered"


class ProviderBusy(ProviderError):
    """Gemini's 429 RESOURCE_EXHAUSTED: our quota or its capacity; trying later may work."""

    status = 429
    code = "ai_provider_busy"
    title = "The question service is busy"


class ProviderUnavailable(ProviderError):
    """A 5xx, a timeout or no connection: nothing was answered."""

    status = 503
    code = "ai_provider_unavailable"
    title = "The question service is unavailable"


class ProviderRefused(ProviderError):
    """Gemini refused our request itself (a 4xx other than 429: the key, the model name): the platform's
    configuration is wrong, not the question."""

    status = 502
    code = "ai_provider_refused"
    title = "The question service refused the platform's request"


class AnswerBlocked(ProviderError):
    """The model stopped without an answer (a safety or other block): the question, reworded, may pass."""

    status = 422
    code = "ai_answer_blocked"
    title = "The model declined to answer this question"


class AnswerMalformed(ProviderError):
    """The model answered, but not with the JSON we asked for (not JSON, no sql, cut short)."""

    status = 502
    code = "ai_answer_malformed"
    title = "The model's answer could not be read"


class QuestionDeclined(ProviderError):
    """The model answered that the reporting views cannot answer the question (an empty sql); its explanation, in
    the question's language, is the detail."""

    status = 422
    code = "ai_question_declined"
    title = "The reporting data cannot answer this question"
