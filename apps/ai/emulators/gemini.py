"""An emulator of Gemini's generateContent endpoint (PROVIDERS.md section 5), for tests, the evaluation, the bench
and the demo.

POST /v1beta/models/{model}:generateContent with the key in `x-goog-api-key` (or `?key=`), as Google answers it:
no key 403 PERMISSION_DENIED, an unknown key 400 INVALID_ARGUMENT, a body that is not JSON 400; otherwise the
scripted answer (state.py) as `{"candidates": [{"content": {"role": "model", "parts": [{"text"}]},
"finishReason", "index"}], "usageMetadata", "modelVersion"}`, or Google's error body
`{"error": {"code", "message", "status"}}`.

Control endpoints (no Google server has them):

    POST /_emu/reset       forget the scripts (the demo's too) and the request log; only the emulator's key is known
    POST /_emu/answers     {"outcome"?, "text"?, "json"?, "status"?, "delay"?, "when"?, "times"?} (state.py)
    POST /_emu/keys        {"key"}: one more API key it accepts
    GET  /_emu/requests    every request received, oldest first: {"model", "api_key", "question", "body"}

    python -m apps.ai.emulators.gemini --port 8030 [--demo-answers]

--demo-answers scripts, for good, the answers of the evaluation set's demo questions (demo_answers.py): what
`make run` starts it with.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.ai.emulators.demo_answers import demo_answers
from apps.ai.emulators.state import Answer, GeminiState
from transport.emulators.control import control_body

STATUS_NAMES = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
                500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
ERROR_MESSAGES = {429: "Resource has been exhausted (e.g. check quota).",
                  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
                  503: "The model is overloaded. Please try again later."}
RETRY_DELAY = "20s"  # what a 429's RetryInfo asks the caller to wait
NO_KEY = ("Method doesn't allow unregistered callers (callers without established identity). Please use API Key "
          "or other form of API consumer identity to call this API.")
BAD_KEY = "API key not valid. Please pass a valid API key."


def google_error(status: int, message: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": status, "message": message or ERROR_MESSAGES.get(status, "Request failed."),
                             "status": STATUS_NAMES.get(status, "UNKNOWN")}
    if status == 429:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": RETRY_DELAY}]
    return JSONResponse({"error": error}, status_code=status)


def state_of(request: Request) -> GeminiState:
    state: GeminiState = request.app.state.gemini
    return state


def _question(body: dict[str, Any]) -> str:
    """The user's text in `contents` (the system instruction, the schema, is not the question)."""
    contents = body.get("contents")
    texts = []
    for content in contents if isinstance(contents, list) else []:
        if isinstance(content, dict) and content.get("role", "user") == "user":
            texts += [str(part.get("text", "")) for part in content.get("parts") or [] if isinstance(part, dict)]
    return "\n".join(texts)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)  # Google's rule of thumb: about four characters a token


def _candidate_answer(answer: Answer, question: str, body: dict[str, Any], model: str) -> dict[str, Any]:
    prompt_tokens = _tokens(question + str(body.get("systemInstruction", "")))
    answered: dict[str, Any] = {"modelVersion": model, "responseId": f"emu-{id(answer):x}"}
    if answer.outcome == "empty":
        return {**answered, "candidates": [], "usageMetadata": {"promptTokenCount": prompt_tokens,
                                                                "totalTokenCount": prompt_tokens}}
    if answer.outcome == "safety":
        candidate: dict[str, Any] = {"content": {"role": "model"}, "finishReason": "SAFETY", "index": 0,
                                     "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                                        "probability": "HIGH", "blocked": True}]}
        candidate_tokens = 0
    else:
        text = answer.model_text()
        candidate = {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
        candidate_tokens = _tokens(text)
    return {**answered, "candidates": [candidate],
            "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": candidate_tokens,
                              "totalTokenCount": prompt_tokens + candidate_tokens}}


async def generate_content(request: Request) -> Response:
    state = state_of(request)
    model = request.path_params["model"]
    key = request.headers.get("x-goog-api-key") or request.query_params.get("key", "")
    try:
        body = await request.json()
    except ValueError:
        body = None
    question = _question(body) if isinstance(body, dict) else ""
    state.requests.append({"model": model, "api_key": key, "question": question, "body": body})
    if not key:
        return google_error(403, NO_KEY)
    if key not in state.api_keys:
        return google_error(400, BAD_KEY)
    if not isinstance(body, dict) or not question:
        return google_error(400, "Invalid JSON payload received: contents with the user's text are required.")
    answer = state.take(question)
    await asyncio.sleep(answer.delay)
    if answer.outcome == "http_error":
        return google_error(answer.status)
    return JSONResponse(_candidate_answer(answer, question, body, model))



async def reset(request: Request) -> Response:
    state_of(request).reset()
    return JSONResponse({"reset": True})


async def add_answer(request: Request) -> Response:
    try:
        body = await control_body(request)
        answer = Answer(outcome=str(body.get("outcome", "answer")), text=body.get("text"), json=body.get("json"),
                        status=int(body.get("status", 500)), delay=float(body.get("delay", 0)),
                        when=str(body.get("when", "")), times=int(body.get("times", 0)))
    except (TypeError, ValueError) as exc:
        return JSONResponse({"error": f"Bad answer: {exc}"}, status_code=400)
    state_of(request).add(answer)
    return JSONResponse(answer.as_json())


async def add_key(request: Request) -> Response:
    try:
        key = str((await control_body(request))["key"])
    except (KeyError, ValueError) as exc:
        return JSONResponse({"error": f"Bad key: {exc}"}, status_code=400)
    state_of(request).api_keys.add(key)
    return JSONResponse({"key": key})


async def requests_received(request: Request) -> Response:
    return JSONResponse({"requests": state_of(request).requests})


def create_app(*, with_demo_answers: bool = False) -> Starlette:
    app = Starlette(routes=[
        Route("/v1beta/models/{model}:generateContent", generate_content, methods=["POST"]),
        Route("/_emu/reset", reset, methods=["POST"]),
        Route("/_emu/answers", add_answer, methods=["POST"]),
        Route("/_emu/keys", add_key, methods=["POST"]),
        Route("/_emu/requests", requests_received, methods=["GET"]),
    ])
    app.state.gemini = GeminiState()
    for answer in demo_answers() if with_demo_answers else []:
        app.state.gemini.add(answer)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8030)
    parser.add_argument("--demo-answers", action="store_true", help="Answer the demo's questions (make run).")
    options = parser.parse_args()
    uvicorn.run(create_app(with_demo_answers=options.demo_answers), host=options.host, port=options.port,
                log_level="warning")


if __name__ == "__main__":
    main()
