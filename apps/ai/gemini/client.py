"""Gemini drafts a question's SQL: the google-genai client, asked for JSON in a fixed schema at temperature 0.

Every way the call can fail becomes one of our ProviderError (errors.py), never the SDK's exceptions nor a 500.
The SDK retries nothing by default, and we keep it so: a question costs money, and the caller answers 429/503 at
once rather than holding a request open. The draft is only a draft: the guard checks its SQL before anything runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from django.conf import settings
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from apps.ai.gemini.errors import (
    AnswerBlocked,
    AnswerMalformed,
    ProviderBusy,
    ProviderRefused,
    ProviderUnavailable,
    QuestionDeclined,
)

# What the model must answer (Gemini's structured output, a subset of JSON Schema).
DRAFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "sql": {"type": "string", "description": "One PostgreSQL SELECT over the listed views; empty if none fits."},
        "explanation": {"type": "string", "description": "One sentence, in the language of the question."},
        "chart": {"type": "object", "description": "A Vega-Lite v5 specification without data, or omitted."},
    },
    "required": ["sql", "explanation"],
}
MAX_DECLINE_CHARS = 500  # the model's reason for declining becomes a problem's detail: keep it a sentence or two
# the API version whose generateContent documents responseJsonSchema and systemInstruction (the SDK's own default
# moved to v1)
API_VERSION = "v1beta"
RETRY_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


@dataclass(frozen=True)
class Draft:
    sql: str
    explanation: str
    chart: dict[str, Any] | None


def sql_draft(*, question: str, schema_prompt: str) -> Draft:
    """The model's SQL for `question`, given the views `schema_prompt` describes (prompt.schema_prompt)."""
    config = types.GenerateContentConfig(system_instruction=schema_prompt, temperature=0,
                                         response_mime_type="application/json", response_json_schema=DRAFT_SCHEMA)
    if not settings.GEMINI_API_KEY:
        raise ProviderUnavailable("No model is configured for questions (GEMINI_API_KEY).")
    with _client() as client:
        try:
            response = client.models.generate_content(model=settings.GEMINI_MODEL, contents=question, config=config)
        except genai_errors.APIError as exc:
            raise _provider_error(exc) from exc
        except (httpx.TimeoutException, httpx2.TimeoutException) as exc:
            raise ProviderUnavailable("The model did not answer in time; try again later.") from exc
        except (httpx.HTTPError, httpx2.HTTPError) as exc:
            raise ProviderUnavailable("The model could not be reached; try again later.") from exc
    return _draft_of(response)


def _client() -> genai.Client:
    timeout_ms = int(settings.GEMINI_TIMEOUT_SECONDS * 1000)  # the SDK takes milliseconds
    options = types.HttpOptions(base_url=settings.GEMINI_BASE_URL or None, api_version=API_VERSION, timeout=timeout_ms)
    return genai.Client(api_key=settings.GEMINI_API_KEY, http_options=options)


def _provider_error(exc: genai_errors.APIError) -> Exception:
    if exc.code == 429:
        return ProviderBusy("The model's quota is used up for now; try again later.", retry_after=_retry_after(exc))
    if isinstance(exc, genai_errors.ServerError) or exc.code >= 500:
        return ProviderUnavailable(f"The model's service failed ({exc.code} {exc.status}); try again later.")
    return ProviderRefused(f"The model's service refused the platform's request ({exc.code} {exc.status}).")


def _retry_after(exc: genai_errors.APIError) -> int | None:
    """The seconds Google's RetryInfo asks for ("20s"), if it says."""
    details = exc.details.get("error", exc.details).get("details", []) if isinstance(exc.details, dict) else []
    for detail in details if isinstance(details, list) else []:
        found = RETRY_DELAY.match(str(detail.get("retryDelay", ""))) if isinstance(detail, dict) else None
        if found:
            return max(1, round(float(found.group(1))))
    return None


def _draft_of(response: types.GenerateContentResponse) -> Draft:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise AnswerBlocked(f"The model blocked the question ({feedback.block_reason.value}); reword it.")
    if not response.candidates:
        raise AnswerMalformed("The model gave no answer.")
    candidate = response.candidates[0]
    reason = candidate.finish_reason
    if reason == types.FinishReason.MAX_TOKENS:
        raise AnswerMalformed("The model's answer was cut short.")
    if reason not in (None, types.FinishReason.STOP):
        raise AnswerBlocked(f"The model stopped without an answer ({reason.value}); reword the question.")
    parts = candidate.content.parts if candidate.content is not None else None
    text = "".join(part.text or "" for part in parts or [])
    if not text:
        raise AnswerBlocked("The model stopped without an answer; reword the question.")
    return _parsed(text)


def _parsed(text: str) -> Draft:
    try:
        answer = json.loads(text)
    except ValueError as exc:
        raise AnswerMalformed("The model's answer is not the JSON asked for.") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("sql"), str):
        raise AnswerMalformed("The model's answer has no SQL.")
    explanation = answer.get("explanation")
    explanation = explanation.strip() if isinstance(explanation, str) else ""
    chart = answer.get("chart")
    if not answer["sql"].strip():
        raise QuestionDeclined(explanation[:MAX_DECLINE_CHARS] or "The reporting data cannot answer this question.")
    return Draft(sql=answer["sql"].strip(), explanation=explanation, chart=chart if isinstance(chart, dict) and chart
                 else None)
