"""The M-Pesa emulator's control endpoints (/_emu/...): the same as every emulator's, plus c2b/pay."""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.payment.emulators.mpesa_state import REVERSAL_FAILURES, STK_OUTCOMES, Paybill, Script, State, now_stamp
from transport.emulators.callbacks import Callback, CallbackSender
from transport.emulators.control import control_body

VALIDATION_TIMEOUT_SECONDS = 5.0  # how long the emulator waits for our validation answer


def control_routes() -> list[Route]:
    return [
        Route("/_emu/reset", reset, methods=["POST"]),
        Route("/_emu/callbacks/hold", hold, methods=["POST"]),
        Route("/_emu/callbacks", callbacks_sent, methods=["GET"]),
        Route("/_emu/script", script, methods=["POST"]),
        Route("/_emu/fail", fail, methods=["POST"]),
        Route("/_emu/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emu/transactions", transactions, methods=["GET"]),
        Route("/_emu/c2b/pay", c2b_pay, methods=["POST"]),
    ]


def _held(request: Request) -> tuple[State, CallbackSender]:
    return request.app.state.mpesa, request.app.state.callbacks



def _refused(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def reset(request: Request) -> Response:
    state, callbacks = _held(request)
    state.reset()
    callbacks.reset()
    return JSONResponse({"reset": True})


async def hold(request: Request) -> Response:
    _, callbacks = _held(request)
    body = await control_body(request)
    callbacks.hold = bool(body.get("hold", True))
    return JSONResponse({"hold": callbacks.hold})


async def callbacks_sent(request: Request) -> Response:
    _, callbacks = _held(request)
    return JSONResponse({"callbacks": [callback.as_json() for callback in callbacks.sent]})


async def script(request: Request) -> Response:
    state, _ = _held(request)
    try:
        body = await control_body(request)
        outcome = str(body["outcome"])
        if outcome not in STK_OUTCOMES and outcome not in REVERSAL_FAILURES:
            names = ", ".join([*STK_OUTCOMES, *REVERSAL_FAILURES])
            return _refused(f"Unknown outcome {outcome!r}; one of {names}.")
        delay = body.get("delay")
        entry = Script(payer=str(body["payer"]), outcome=outcome, delay=None if delay is None else float(delay),
                       callback_copies=int(body.get("callback_copies", 1)),
                       callback_delay=float(body.get("callback_delay", 0)),
                       answer_delay=float(body.get("answer_delay", 0)), times=int(body.get("times", 1)))
    except (KeyError, ValueError, TypeError) as exc:
        return _refused(f"Bad script: {exc}")
    state.scripts.append(entry)
    return JSONResponse({"scripted": body})


async def fail(request: Request) -> Response:
    state, _ = _held(request)
    try:
        body = await control_body(request)
        failure = {"path": str(body["path"]), "status": int(body.get("status", 500)),
                   "times": int(body.get("times", 1))}
    except (KeyError, ValueError, TypeError) as exc:
        return _refused(f"Bad failure: {exc}")
    state.failures.append(failure)
    return JSONResponse({"failing": failure})


async def expire_tokens(request: Request) -> Response:
    state, _ = _held(request)
    expired = len(state.tokens)
    state.tokens.clear()
    return JSONResponse({"expired": expired})


async def transactions(request: Request) -> Response:
    state, _ = _held(request)
    return JSONResponse({"transactions": state.transactions(), "requests": state.request_counts})


async def c2b_pay(request: Request) -> Response:
    """A customer pays the paybill: `{"shortcode", "account_reference", "amount", "msisdn"}` (amount in whole
    shillings). With URLs registered, the validation URL is asked first (at once, whether callbacks are held
    or not: Daraja waits for its answer); ResultCode "0" completes the payment and sends the confirmation
    (held like any callback). No answer: ResponseType decides (Cancelled or Completed)."""
    state, callbacks = _held(request)
    try:
        body = await control_body(request)
        shortcode, amount, msisdn = str(body["shortcode"]), int(body["amount"]), str(body["msisdn"])
    except (KeyError, ValueError, TypeError) as exc:
        return _refused(f"Bad payment: {exc}")
    if amount <= 0:
        return _refused("The amount must be a positive number of shillings.")
    paybill = Paybill(trans_id=state.receipt(), shortcode=shortcode, amount=amount, msisdn=msisdn,
                      reference=str(body.get("account_reference", "")), status="completed",
                      transacted_at=now_stamp())
    state.paybills[paybill.trans_id] = paybill
    answer: dict[str, Any] = {"transaction_id": paybill.trans_id, "validation": None, "confirmation_sent": False}
    registration = state.registrations.get(shortcode)
    if registration is None:  # nothing registered: the payment completes and nobody is told
        return JSONResponse({**answer, "status": paybill.status})
    notification = json.dumps(paybill.notification()).encode()
    validation = Callback(url=registration.validation_url, method="POST", body=notification,
                          headers={"content-type": "application/json"})
    callbacks.sent.append(validation)
    verdict: Any = None
    try:
        async with httpx.AsyncClient(timeout=VALIDATION_TIMEOUT_SECONDS) as client:
            response = await client.post(validation.url, content=notification, headers=validation.headers)
        validation.delivered_status = response.status_code
        verdict = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        validation.error = f"{type(exc).__name__}: {exc}"
    answer["validation"] = {"status": validation.delivered_status, "answer": verdict, "error": validation.error}
    if verdict is None:
        paybill.status = "completed" if registration.response_type == "Completed" else "cancelled"
    elif not isinstance(verdict, dict) or str(verdict.get("ResultCode", "")).strip() != "0":
        paybill.status = "rejected"
    if paybill.status == "completed":
        callbacks.schedule(url=registration.confirmation_url, body=notification)
        answer["confirmation_sent"] = True
    return JSONResponse({**answer, "status": paybill.status})
