"""What every route of the PayPal emulator shares: PayPal's error bodies, JSON bodies, bearer authentication,
and the guard that logs each request and plays the injected failures and stalls."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from apps.payment.emulators.paypal_state import State

Handler = Callable[[Request], Awaitable[Response]]

MESSAGES = {
    "INVALID_REQUEST": "Request is not well-formed, syntactically incorrect, or violates schema.",
    "AUTHENTICATION_FAILURE": "Authentication failed due to invalid authentication credentials or a missing "
                              "Authorization header.",
    "NOT_AUTHORIZED": "Authorization failed due to insufficient permissions.",
    "RESOURCE_NOT_FOUND": "The specified resource does not exist.",
    "UNPROCESSABLE_ENTITY": "The requested action could not be performed, semantically incorrect, or failed "
                            "business validation.",
    "INTERNAL_SERVER_ERROR": "An internal server error occurred.",
    "SERVICE_UNAVAILABLE": "Service Unavailable.",
    "VALIDATION_ERROR": "Invalid request - see details.",
    "WEBHOOK_URL_ALREADY_EXISTS": "Webhook URL already exists.",
    "WEBHOOK_NUMBER_LIMIT_EXCEEDED": "Maximum number of webhooks exceeded.",
}
NAMES = {400: "INVALID_REQUEST", 401: "AUTHENTICATION_FAILURE", 403: "NOT_AUTHORIZED", 404: "RESOURCE_NOT_FOUND",
         422: "UNPROCESSABLE_ENTITY", 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}


def problem_body(status: int, issue: str = "", description: str = "", *, name: str = "") -> dict[str, Any]:
    name = name or NAMES.get(status, "INTERNAL_SERVER_ERROR")
    body: dict[str, Any] = {"name": name, "message": MESSAGES.get(name, name),
                            "debug_id": secrets.token_hex(7)}
    if issue:
        body["details"] = [{"issue": issue, "description": description or issue}]
        body["links"] = [{"href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}",
                          "rel": "information_link", "method": "GET"}]
    return body


def problem(status: int, issue: str = "", description: str = "", *, name: str = "") -> JSONResponse:
    body = problem_body(status, issue, description, name=name)
    return JSONResponse(body, status_code=status, headers={"Paypal-Debug-Id": body["debug_id"]})


class BadJson(Exception):
    pass


async def read_json(request: Request, *, empty: Any = None) -> Any:
    """The request's JSON body; `empty` when it has none. BadJson when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return empty
    try:
        return json.loads(raw)
    except ValueError:
        raise BadJson from None


def malformed() -> JSONResponse:
    return problem(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")


def state_of(request: Request) -> State:
    state: State = request.app.state.paypal
    return state


def client_of(request: Request) -> str:
    client: str = request.state.client_id
    return client


def guarded(handler: Handler, *, auth: bool = True) -> Handler:
    """A provider route: logged in /_emu/requests, answering an injected failure instead when one matches,
    refusing a missing or unknown bearer token (auth), and holding its answer back for an injected stall."""

    async def route(request: Request) -> Response:
        state = state_of(request)
        state.base_url = str(request.base_url).rstrip("/")
        path = request.url.path
        entry: dict[str, Any] = {"method": request.method, "path": path, "status": None,
                                 "paypal_request_id": request.headers.get("paypal-request-id", "")}
        state.requests.append(entry)
        failure = state.take_failure(path)
        if failure is not None:
            response: Response = problem(failure.status)
        elif auth and (refusal := _refusal(request, state)) is not None:
            response = refusal
        else:
            try:
                response = await handler(request)
            except BadJson:
                response = malformed()
        stall = state.take_stall(path)
        if stall:
            await asyncio.sleep(stall)
        entry["status"] = response.status_code
        return response

    return route


def _refusal(request: Request, state: State) -> Response | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return problem(401)
    client = state.tokens.get(token)
    if client is None:
        return JSONResponse({"error": "invalid_token", "error_description": "Token signature verification failed"},
                            status_code=401)
    request.state.client_id = client
    return None
