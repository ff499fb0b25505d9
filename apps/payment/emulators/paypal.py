"""A local emulator of PayPal's REST API (OAuth, Orders v2, Payments v2, webhooks) for tests and the demo.

Serve `create_app()` (EmulatorServer in tests). Behaviour:
- OAuth: Basic auth of the sandbox app in paypal_state.CLIENTS, form grant_type=client_credentials.
- Orders: 201 on create, 200 when the same PayPal-Request-Id comes again with the same body (422
  PAYPAL_REQUEST_ID_PREVIOUSLY_USED with another body). The payer-action (or approve) link is
  `GET /_emu/checkout?token=<order id>[&payer=<email>][&cancel=1]`: it approves the order for that payer
  (sb-buyer@example.com by default) and redirects to return_url?token=..&PayerID=.., or to cancel_url.
- Capture: unscripted captures complete at once, as PayPal's wallet captures do. Script outcomes by payer
  email: COMPLETED, PENDING (stays pending), DECLINED (a DECLINED capture in a COMPLETED order),
  INSTRUMENT_DECLINED and TRANSACTION_REFUSED (422 on capture). A script's `delay` makes a COMPLETED or
  DECLINED capture answer PENDING first and settle after it. A script is taken when the order is created
  (payer "*" only: the payer is unknown then) or else when it is captured; its answer_delay holds back the
  answer of the request that took it.
- Refunds: unscripted refunds answer PENDING and complete `settle_seconds` later; scripts for the capture's
  payer: REFUND_COMPLETED, REFUND_PENDING, REFUND_FAILED, REFUND_CANCELLED (with `delay`, PENDING first).
- Webhooks (paypal_webhooks): CHECKOUT.ORDER.APPROVED, PAYMENT.CAPTURE.COMPLETED/PENDING/DECLINED/DENIED,
  PAYMENT.CAPTURE.REFUNDED, to every webhook the app registered for them; verify-webhook-signature;
  simulate-event.
Control endpoints (/_emu/...): reset, callbacks/hold, callbacks, script, fail, tokens/expire, transactions,
and two of this emulator only: `GET /_emu/requests` (every provider request: method, path, status,
PayPal-Request-Id) and `POST /_emu/stall {"path", "seconds", "times"}` (the next matching requests are
processed, then answered `seconds` late: lets a test act between PayPal's reading and our client's).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.payment.emulators import paypal_orders, paypal_webhooks
from apps.payment.emulators.paypal_http import BadJson, guarded, read_json, state_of
from apps.payment.emulators.paypal_state import (
    CAPTURE_OUTCOMES,
    CLIENTS,
    REFUND_OUTCOMES,
    TOKEN_SECONDS,
    Failure,
    Script,
    Stall,
    State,
    payer_id_of,
)
from transport.emulators.callbacks import CallbackSender


def create_app(*, settle_seconds: float = 2.0, token_seconds: int = TOKEN_SECONDS) -> Starlette:
    """`token_seconds`: the expires_in of the access tokens issued (PayPal's are 32400 s)."""
    routes = [
        Route("/v1/oauth2/token", guarded(token, auth=False), methods=["POST"]),
        Route("/v2/checkout/orders", guarded(paypal_orders.create_order), methods=["POST"]),
        Route("/v2/checkout/orders/{order_id}", guarded(paypal_orders.get_order), methods=["GET"]),
        Route("/v2/checkout/orders/{order_id}/capture", guarded(paypal_orders.capture_order), methods=["POST"]),
        Route("/v2/payments/captures/{capture_id}", guarded(paypal_orders.get_capture), methods=["GET"]),
        Route("/v2/payments/captures/{capture_id}/refund", guarded(paypal_orders.refund_capture),
              methods=["POST"]),
        Route("/v2/payments/refunds/{refund_id}", guarded(paypal_orders.get_refund), methods=["GET"]),
        Route("/v1/notifications/webhooks", guarded(paypal_webhooks.register), methods=["POST"]),
        Route("/v1/notifications/webhooks", guarded(paypal_webhooks.listing), methods=["GET"]),
        Route("/v1/notifications/verify-webhook-signature", guarded(paypal_webhooks.verify), methods=["POST"]),
        Route("/v1/notifications/simulate-event", guarded(paypal_webhooks.simulate), methods=["POST"]),
        Route("/_emu/checkout", guarded(paypal_orders.checkout, auth=False), methods=["GET"]),
        Route("/_emu/reset", reset, methods=["POST"]),
        Route("/_emu/callbacks/hold", hold_callbacks, methods=["POST"]),
        Route("/_emu/callbacks", callbacks, methods=["GET"]),
        Route("/_emu/script", script, methods=["POST"]),
        Route("/_emu/fail", fail, methods=["POST"]),
        Route("/_emu/stall", stall, methods=["POST"]),
        Route("/_emu/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emu/transactions", transactions, methods=["GET"]),
        Route("/_emu/requests", requests, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.paypal = State(settle_seconds=settle_seconds, token_seconds=token_seconds)
    app.state.callbacks = CallbackSender()
    return app


async def token(request: Request) -> Response:
    state = state_of(request)
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id, secret = "", ""
    if scheme.lower() != "basic" or CLIENTS.get(client_id) is None or CLIENTS[client_id] != secret:
        return JSONResponse({"error": "invalid_client", "error_description": "Client Authentication failed"},
                            status_code=401)
    form = parse_qs((await request.body()).decode(errors="replace"))
    if form.get("grant_type") != ["client_credentials"]:
        return JSONResponse({"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"},
                            status_code=400)
    access_token = "A21AA" + secrets.token_urlsafe(48)
    state.tokens[access_token] = client_id
    return JSONResponse({"scope": "https://uri.paypal.com/services/payments/payment", "access_token": access_token,
                         "token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": state.token_seconds,
                         "nonce": secrets.token_urlsafe(24)})


async def _control_body(request: Request) -> dict[str, Any]:
    try:
        body = await read_json(request, empty={})
    except BadJson:
        body = None
    return body if isinstance(body, dict) else {}


async def reset(request: Request) -> Response:
    state_of(request).reset()
    request.app.state.callbacks.reset()
    return JSONResponse({"reset": True})


async def hold_callbacks(request: Request) -> Response:
    request.app.state.callbacks.hold = bool((await _control_body(request)).get("hold", True))
    return JSONResponse({"hold": request.app.state.callbacks.hold})


async def callbacks(request: Request) -> Response:
    return JSONResponse({"callbacks": [callback.as_json() for callback in request.app.state.callbacks.sent]})


async def script(request: Request) -> Response:
    body = await _control_body(request)
    outcome, payer = body.get("outcome"), body.get("payer")
    if outcome not in CAPTURE_OUTCOMES | REFUND_OUTCOMES or not isinstance(payer, str) or not payer:
        return JSONResponse({"error": f"payer and outcome (one of {sorted(CAPTURE_OUTCOMES | REFUND_OUTCOMES)})"},
                            status_code=400)
    scripted = Script(payer=payer, outcome=str(outcome), delay=float(body.get("delay", 0.0)),
                      callback_copies=int(body.get("callback_copies", 1)),
                      callback_delay=float(body.get("callback_delay", 0.0)),
                      answer_delay=float(body.get("answer_delay", 0.0)), times=int(body.get("times", 1)))
    state_of(request).scripts.append(scripted)
    return JSONResponse({"scripted": scripted.__dict__})


async def fail(request: Request) -> Response:
    body = await _control_body(request)
    failure = Failure(path=str(body.get("path", "/")), status=int(body.get("status", 500)),
                      times=int(body.get("times", 1)))
    state_of(request).failures.append(failure)
    return JSONResponse({"failing": failure.__dict__})


async def stall(request: Request) -> Response:
    body = await _control_body(request)
    stalled = Stall(path=str(body.get("path", "/")), seconds=float(body.get("seconds", 1.0)),
                    times=int(body.get("times", 1)))
    state_of(request).stalls.append(stalled)
    return JSONResponse({"stalling": stalled.__dict__})


async def expire_tokens(request: Request) -> Response:
    state = state_of(request)
    expired = len(state.tokens)
    state.tokens.clear()
    return JSONResponse({"expired": expired})


async def transactions(request: Request) -> Response:
    state = state_of(request)
    orders = [{
        "kind": "order", "id": order.id, "status": order.status, "amount": order.value, "currency": order.currency,
        "payer": order.payer_email, "payer_id": payer_id_of(order.payer_email) if order.payer_email else "",
        "initiations": order.initiations, "request_id": order.request_id, **order.unit,
        "return_url": order.return_url, "cancel_url": order.cancel_url,
        "capture": None if order.capture is None else {"id": order.capture.id, "status": order.capture.status,
                                                       "reason": order.capture.reason},
        "capture_request_ids": list(order.capture_request_ids),
    } for order in state.orders.values()]
    refunds = [{
        "kind": "refund", "id": refund.id, "status": refund.status, "amount": refund.value,
        "currency": refund.currency, "capture_id": refund.capture_id, "order_id": refund.order_id,
        "payer": state.orders[refund.order_id].payer_email, "request_id": refund.request_id,
        "requests": refund.requests, "note": refund.note,
    } for refund in state.refunds.values()]
    return JSONResponse({"transactions": orders + refunds})


async def requests(request: Request) -> Response:
    return JSONResponse({"requests": state_of(request).requests})
