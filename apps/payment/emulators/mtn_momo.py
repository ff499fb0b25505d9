"""An emulator of the MTN MoMo Open API sandbox (Collection and Disbursement), for tests and the demo.

It speaks the wire format of PROVIDERS.md section 2 and knows one account (mtn_momo_state.SANDBOX_*). Where
MTN's material says nothing, it chooses, and the client must cope: an invalid bearer token is 401
`{"statusCode", "message"}` (the gateway's form), an unknown X-Target-Environment 403
NOT_ALLOWED_TARGET_ENVIRONMENT, a malformed request 400 BAD_REQUEST, a refund of more than is left or of a
payment that did not succeed 400 NOT_ALLOWED. Control endpoints under /_emu (see the payment test fixtures).
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.payment.emulators.mtn_momo_state import (
    DELAYED_FACTOR,
    DELAYED_NUMBER,
    OUTCOME_NAMES,
    PENDING,
    SANDBOX_API_KEY,
    SANDBOX_API_USER,
    SANDBOX_COLLECTION_KEY,
    SANDBOX_CURRENCY,
    SANDBOX_DISBURSEMENT_KEY,
    SANDBOX_ENVIRONMENT,
    SANDBOX_NUMBERS,
    SUCCESSFUL,
    TOKEN_SECONDS,
    Failure,
    MomoState,
    Script,
    Transfer,
)
from transport.emulators.callbacks import CallbackSender
from transport.money import from_text

SUBSCRIPTION_KEYS = {"collection": SANDBOX_COLLECTION_KEY, "disbursement": SANDBOX_DISBURSEMENT_KEY}
ERROR_MESSAGES = {500: ("INTERNAL_PROCESSING_ERROR", "An internal error occurred while processing."),
                  503: ("SERVICE_UNAVAILABLE", "Service unavailable.")}


class Refused(Exception):
    """An error answer: raised by the checks, turned into the provider's error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        if self.code.isdigit():  # the API gateway's own form
            return JSONResponse({"statusCode": int(self.code), "message": self.message}, status_code=self.status)
        if self.code == "login_failed":
            return JSONResponse({"error": self.code}, status_code=self.status)
        return JSONResponse({"code": self.code, "message": self.message}, status_code=self.status)


def _failure(state: MomoState, path: str) -> None:
    failure = state.take_failure(path)
    if failure is not None:
        code, message = ERROR_MESSAGES.get(failure.status, (f"HTTP_{failure.status}", "Injected failure."))
        raise Refused(failure.status, code, message)


def _subscription(request: Request, product: str) -> None:
    if request.headers.get("ocp-apim-subscription-key") != SUBSCRIPTION_KEYS[product]:
        raise Refused(401, "401", "Access denied due to invalid subscription key. Make sure to provide a valid "
                                  "key for an active subscription.")


def _authorized(state: MomoState, request: Request, product: str) -> None:
    """The checks of every API call (not the token's): injected failure, subscription key, token, target."""
    _failure(state, request.url.path)
    _subscription(request, product)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not state.token_valid(token, product):
        raise Refused(401, "401", "Access token is missing, invalid or expired.")
    if request.headers.get("x-target-environment") != SANDBOX_ENVIRONMENT:
        raise Refused(403, "NOT_ALLOWED_TARGET_ENVIRONMENT", "Access to target environment is forbidden.")


def _reference_id(request: Request) -> str:
    try:
        return str(uuid.UUID(request.headers.get("x-reference-id", "")))
    except ValueError:
        raise Refused(400, "BAD_REQUEST", "X-Reference-Id must be a UUID.") from None


def _callback_url(request: Request) -> str:
    url = request.headers.get("x-callback-url", "")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise Refused(500, "INVALID_CALLBACK_URL_HOST", "Callback URL with this host is not allowed.")
    return url


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Refused(400, "BAD_REQUEST", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise Refused(400, "BAD_REQUEST", "The body is not a JSON object.")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name, None if required else "")
    if not isinstance(value, str):
        raise Refused(400, "BAD_REQUEST", f"{name} must be a string.")
    return value


def _amount(body: dict[str, Any]) -> tuple[str, str, int]:
    """The amount as sent, its currency and its minor units; the sandbox collects EUR only."""
    amount, currency = _text(body, "amount"), _text(body, "currency")
    if currency != SANDBOX_CURRENCY:
        raise Refused(500, "INVALID_CURRENCY", "Currency not supported.")
    try:
        minor = from_text(amount, currency)
    except ValueError:
        minor = 0
    if minor <= 0:
        raise Refused(400, "BAD_REQUEST", "amount must be a positive amount in the currency.")
    return amount, currency, minor


def create_app(*, settle_seconds: float = 2.0) -> Starlette:
    state = MomoState(settle_seconds)
    callbacks = CallbackSender()

    def schedule_settlement(transfer: Transfer, outcome: str, delay: float) -> None:
        if outcome == PENDING:  # never settles
            return

        async def settle() -> None:
            await asyncio.sleep(delay)
            transfer.settle(outcome)
            if transfer.callback_url:
                script = transfer.script
                callbacks.schedule(url=transfer.callback_url, body=json.dumps(transfer.body()).encode(),
                                   method=script.callback_method, delay=script.callback_delay,
                                   copies=script.callback_copies)

        state.start(settle())

    async def token(request: Request) -> Response:
        product = request.url.path.split("/")[1]
        try:
            _failure(state, request.url.path)
            _subscription(request, product)
            if request.headers.get("content-length") is None:
                raise Refused(411, "LENGTH_REQUIRED", "Content-Length is required.")
            scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
            try:
                user, _, key = base64.b64decode(credentials, validate=True).decode().partition(":")
            except ValueError:
                user, key = "", ""
            if scheme.lower() != "basic" or (user, key) != (SANDBOX_API_USER, SANDBOX_API_KEY):
                raise Refused(401, "login_failed", "")
        except Refused as refused:
            return refused.response()
        return JSONResponse({"access_token": state.issue_token(product), "token_type": "access_token",
                             "expires_in": TOKEN_SECONDS})

    async def request_to_pay(request: Request) -> Response:
        try:
            _authorized(state, request, "collection")
            reference_id = _reference_id(request)
            callback_url = _callback_url(request)
            existing = state.payments.get(reference_id)
            if existing is not None:
                existing.requests += 1
                raise Refused(409, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
            body = await _json_body(request)
            amount, currency, minor = _amount(body)
            payer = body.get("payer")
            if not isinstance(payer, dict) or payer.get("partyIdType") != "MSISDN" \
                    or not isinstance(payer.get("partyId"), str) or not payer["partyId"].isdigit():
                raise Refused(400, "BAD_REQUEST", "payer must be an MSISDN party with a number.")
            party = payer["partyId"]
            transfer = Transfer(kind="payment", reference_id=reference_id, external_id=_text(body, "externalId"),
                                amount=amount, amount_minor=minor, currency=currency, party=party,
                                payer_message=_text(body, "payerMessage", required=False),
                                payee_note=_text(body, "payeeNote", required=False), callback_url=callback_url,
                                script=Script(outcome=SUCCESSFUL))
        except Refused as refused:
            return refused.response()
        script = state.take_script(party)
        if script is not None:
            transfer.script, outcome = script, script.outcome
            delay = settle_seconds if script.delay is None else script.delay
        else:
            outcome = SANDBOX_NUMBERS.get(party, SUCCESSFUL)
            delay = settle_seconds * (DELAYED_FACTOR if party == DELAYED_NUMBER else 1)
        state.payments[reference_id] = transfer
        schedule_settlement(transfer, outcome, delay)
        if transfer.script.answer_delay:  # the push goes on while its answer is late ("lost push answer")
            await asyncio.sleep(transfer.script.answer_delay)
        return Response(status_code=202)

    async def refund(request: Request) -> Response:
        try:
            _authorized(state, request, "disbursement")
            reference_id = _reference_id(request)
            callback_url = _callback_url(request)
            existing = state.refunds.get(reference_id)
            if existing is not None:
                existing.requests += 1
                raise Refused(409, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
            body = await _json_body(request)
            amount, currency, minor = _amount(body)
            payment = state.payments.get(_text(body, "referenceIdToRefund"))
            if payment is None:
                raise Refused(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
            if payment.status != SUCCESSFUL or payment.currency != currency:
                raise Refused(400, "NOT_ALLOWED", "Only a successful payment can be refunded, in its currency.")
            if minor > state.refundable_minor(payment):
                raise Refused(400, "NOT_ALLOWED", "The amount exceeds what is left to refund of the payment.")
            transfer = Transfer(kind="refund", reference_id=reference_id, external_id=_text(body, "externalId"),
                                amount=amount, amount_minor=minor, currency=currency, party=payment.party,
                                payer_message=_text(body, "payerMessage", required=False),
                                payee_note=_text(body, "payeeNote", required=False), callback_url=callback_url,
                                script=Script(outcome=SUCCESSFUL), refund_of=payment.reference_id)
        except Refused as refused:
            return refused.response()
        script = state.take_script(payment.party)
        if script is not None:
            transfer.script = script
        state.refunds[reference_id] = transfer
        delay = settle_seconds if script is None or script.delay is None else script.delay
        schedule_settlement(transfer, transfer.script.outcome, delay)
        if transfer.script.answer_delay:
            await asyncio.sleep(transfer.script.answer_delay)
        return Response(status_code=202)

    def status_route(product: str, transfers: dict[str, Transfer]) -> Any:
        async def status(request: Request) -> Response:
            try:
                _authorized(state, request, product)
                transfer = transfers.get(request.path_params["reference_id"])
                if transfer is None or not transfer.visible():
                    raise Refused(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")
            except Refused as refused:
                return refused.response()
            return JSONResponse(transfer.body())

        return status

    async def reset(request: Request) -> Response:
        state.reset()
        callbacks.reset()
        return JSONResponse({"reset": True})

    async def hold(request: Request) -> Response:
        callbacks.hold = bool((await request.json()).get("hold", True))
        return JSONResponse({"hold": callbacks.hold})

    async def sent_callbacks(request: Request) -> Response:
        return JSONResponse({"callbacks": [callback.as_json() for callback in callbacks.sent]})

    async def script(request: Request) -> Response:
        body = await request.json()
        outcome = body.get("outcome")
        if outcome not in OUTCOME_NAMES or not isinstance(body.get("payer"), str):
            return JSONResponse({"error": f"payer and an outcome of {sorted(OUTCOME_NAMES)} are needed"},
                                status_code=400)
        fields = ("delay", "callback_copies", "callback_delay", "answer_delay", "times", "callback_method",
                  "visible_after", "reason_form")
        state.scripts.append((body["payer"], Script(outcome=outcome, **{
            name: body[name] for name in fields if body.get(name) is not None})))
        return JSONResponse({"scripted": True})

    async def fail(request: Request) -> Response:
        body = await request.json()
        state.failures.append(Failure(path=str(body["path"]), status=int(body.get("status", 500)),
                                      times=int(body.get("times", 1))))
        return JSONResponse({"failing": True})

    async def expire_tokens(request: Request) -> Response:
        state.tokens.clear()
        return JSONResponse({"expired": True})

    async def tokens(request: Request) -> Response:
        return JSONResponse({"issued": state.tokens_issued, "valid": len(state.tokens)})

    async def transactions(request: Request) -> Response:
        held = [*state.payments.values(), *state.refunds.values()]
        return JSONResponse({"transactions": [transfer.as_json() for transfer in held]})

    app = Starlette(routes=[
        Route("/collection/token/", token, methods=["POST"]),
        Route("/disbursement/token/", token, methods=["POST"]),
        Route("/collection/v1_0/requesttopay", request_to_pay, methods=["POST"]),
        Route("/collection/v1_0/requesttopay/{reference_id}", status_route("collection", state.payments),
              methods=["GET"]),
        Route("/disbursement/v1_0/refund", refund, methods=["POST"]),
        Route("/disbursement/v1_0/refund/{reference_id}", status_route("disbursement", state.refunds),
              methods=["GET"]),
        Route("/_emu/reset", reset, methods=["POST"]),
        Route("/_emu/callbacks/hold", hold, methods=["POST"]),
        Route("/_emu/callbacks", sent_callbacks, methods=["GET"]),
        Route("/_emu/script", script, methods=["POST"]),
        Route("/_emu/fail", fail, methods=["POST"]),
        Route("/_emu/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emu/tokens", tokens, methods=["GET"]),
        Route("/_emu/transactions", transactions, methods=["GET"]),
    ])
    app.state.callbacks = callbacks
    app.state.momo = state
    return app
