"""The PayPal emulator's payments: orders (Orders v2), the buyer's approval page, captures and refunds
(Payments v2), with the outcomes the scripts give and the webhooks each change sends."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from apps.payment.emulators.paypal_http import client_of, problem, problem_body, read_json, state_of
from apps.payment.emulators.paypal_state import (
    CAPTURE_OUTCOMES,
    DEFAULT_PAYER,
    REFUND_OUTCOMES,
    Capture,
    Order,
    Refund,
    Script,
    State,
    amount_problem,
    capture_json,
    new_id,
    now,
    order_json,
    payer_id_of,
    refund_json,
    text,
)
from apps.payment.emulators.paypal_webhooks import publish

NOT_FOUND = ("INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.")
# issues a bad amount gets: a malformed one is a 400, one PayPal understands but refuses a 422
SYNTAX_ISSUES = frozenset({"MISSING_REQUIRED_PARAMETER", "INVALID_PARAMETER_SYNTAX"})
FIELD_LENGTHS = {"reference_id": 256, "custom_id": 127, "invoice_id": 127, "description": 127}


async def create_order(request: Request) -> Response:
    state, client = state_of(request), client_of(request)
    body = await read_json(request, empty={})
    request_id = request.headers.get("paypal-request-id", "")
    known = state.order_requests.get((client, request_id)) if request_id else None
    if known is not None:
        order = state.orders[known]
        if order.request_body != body:
            return problem(422, "PAYPAL_REQUEST_ID_PREVIOUSLY_USED",
                           "The PayPal-Request-Id has already been used for another request.")
        order.initiations += 1
        return JSONResponse(order_json(order, state.base_url), status_code=200)
    refusal = _order_refusal(body, request_id)
    if refusal is not None:
        return refusal
    unit = body["purchase_units"][0]
    context = body.get("payment_source", {}).get("paypal", {}).get("experience_context", {})
    order = Order(id=new_id(17), client_id=client, request_id=request_id, request_body=body,
                  value=unit["amount"]["value"], currency=unit["amount"]["currency_code"],
                  unit={key: unit[key] for key in FIELD_LENGTHS if key in unit},
                  return_url=str(context.get("return_url", "")), cancel_url=str(context.get("cancel_url", "")),
                  with_payment_source="payment_source" in body,
                  status="PAYER_ACTION_REQUIRED" if "payment_source" in body else "CREATED")
    # the payer is unknown until approval: only a script for any payer ("*") can already hold the answer back
    order.script = state.take_script("*", CAPTURE_OUTCOMES)
    state.orders[order.id] = order
    if request_id:
        state.order_requests[(client, request_id)] = order.id
    if order.script is not None and order.script.answer_delay:
        await asyncio.sleep(order.script.answer_delay)
    return JSONResponse(order_json(order, state.base_url), status_code=201)


def _order_refusal(body: Any, request_id: str) -> Response | None:
    if not isinstance(body, dict):
        return problem(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
    if body.get("intent") != "CAPTURE":
        return problem(400, "INVALID_PARAMETER_VALUE", "intent: this emulator takes CAPTURE orders only.")
    units = body.get("purchase_units")
    if not isinstance(units, list) or len(units) != 1 or not isinstance(units[0], dict):
        return problem(400, "MISSING_REQUIRED_PARAMETER", "purchase_units: exactly one purchase unit.")
    issue = amount_problem(units[0].get("amount"))
    if issue is not None:
        return problem(400 if issue[0] in SYNTAX_ISSUES else 422, *issue)
    for key, longest in FIELD_LENGTHS.items():
        value = units[0].get(key, "")
        if not isinstance(value, str) or len(value) > longest:
            return problem(400, "INVALID_STRING_LENGTH", f"{key} is at most {longest} characters.")
    source = body.get("payment_source")
    if source is not None:
        if not isinstance(source, dict) or not isinstance(source.get("paypal"), dict):
            return problem(400, "INVALID_PARAMETER_VALUE", "payment_source: this emulator takes paypal only.")
        if not request_id:
            return problem(400, "PAYPAL_REQUEST_ID_REQUIRED", "A PayPal-Request-Id is required with payment_source.")
    return None


async def get_order(request: Request) -> Response:
    state = state_of(request)
    order = state.orders.get(request.path_params["order_id"])
    if order is None or order.client_id != client_of(request):
        return problem(404, *NOT_FOUND)
    return JSONResponse(order_json(order, state.base_url))


async def checkout(request: Request) -> Response:
    """The buyer on PayPal's approval page: approves (or, with cancel=1, cancels) and is sent back."""
    state = state_of(request)
    order = state.orders.get(request.query_params.get("token", ""))
    if order is None:
        return PlainTextResponse("This checkout session does not exist.", status_code=404)
    if request.query_params.get("cancel"):
        return _back(order.cancel_url, {"token": order.id}, "cancelled")
    if order.status in ("CREATED", "PAYER_ACTION_REQUIRED"):
        order.status, order.updated = "APPROVED", now()
        order.payer_email = request.query_params.get("payer") or DEFAULT_PAYER
        script = order.script
        publish(state, request.app.state.callbacks, client_id=order.client_id, event_type="CHECKOUT.ORDER.APPROVED",
                resource=order_json(order, state.base_url), delay=script.callback_delay if script else 0.0)
    return _back(order.return_url, {"token": order.id, "PayerID": payer_id_of(order.payer_email)}, "approved")


def _back(url: str, query: dict[str, str], what: str) -> Response:
    if not url:
        return PlainTextResponse(f"Order {query['token']} {what}; no URL to return to.")
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{urlencode(query)}", status_code=302)


async def capture_order(request: Request) -> Response:
    state = state_of(request)
    order = state.orders.get(request.path_params["order_id"])
    if order is None or order.client_id != client_of(request):
        return problem(404, *NOT_FOUND)
    await read_json(request, empty={})
    request_id = request.headers.get("paypal-request-id", "")
    if request_id and request_id in order.capture_answers:
        status, body = order.capture_answers[request_id]
        return JSONResponse(order_json(order, state.base_url) if status == 201 else body,
                            status_code=200 if status == 201 else status)
    order.capture_request_ids.append(request_id)
    if order.status == "COMPLETED":
        return problem(422, "ORDER_ALREADY_CAPTURED", "Order already captured. If 'intent=CAPTURE' only one "
                       "capture per order is allowed.")
    if order.status != "APPROVED":
        return problem(422, "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
    script, taken_now = order.script, False
    if script is None:
        script, taken_now = state.take_script(order.payer_email, CAPTURE_OUTCOMES), True
    order.script = None
    answer = _capture(state, request, order, script)
    if request_id:
        order.capture_answers[request_id] = answer
    if script is not None and taken_now and script.answer_delay:
        await asyncio.sleep(script.answer_delay)
    return JSONResponse(answer[1], status_code=answer[0])


def _capture(state: State, request: Request, order: Order, script: Script | None) -> tuple[int, dict[str, Any]]:
    outcome = script.outcome if script is not None else "COMPLETED"
    if outcome in ("INSTRUMENT_DECLINED", "TRANSACTION_REFUSED"):
        description = {"INSTRUMENT_DECLINED": "The instrument presented was either declined by the processor or "
                                              "bank, or it can't be used for this payment.",
                       "TRANSACTION_REFUSED": "The request was refused."}[outcome]
        return 422, problem_body(422, outcome, description)
    delay = script.delay if script is not None else 0.0
    settled_now = outcome != "PENDING" and not delay
    capture = Capture(id=new_id(17), status=outcome if settled_now else "PENDING", value=order.value,
                      currency=order.currency, reason="" if settled_now else "PENDING_REVIEW")
    order.capture, order.status, order.updated = capture, "COMPLETED", now()
    copies, callback_delay = (script.callback_copies, script.callback_delay) if script else (1, 0.0)
    sender = request.app.state.callbacks

    def announce(event_type: str) -> None:
        publish(state, sender, client_id=order.client_id, event_type=event_type,
                resource=capture_json(order, capture, state.base_url), delay=callback_delay, copies=copies)

    announce(f"PAYMENT.CAPTURE.{capture.status}")
    if outcome != "PENDING" and delay:
        def settle() -> None:
            capture.status, capture.reason, capture.updated = outcome, "", now()
            # a pending capture that is then refused is DENIED in PayPal's events
            announce("PAYMENT.CAPTURE.COMPLETED" if outcome == "COMPLETED" else "PAYMENT.CAPTURE.DENIED")

        state.later(delay, settle)
    return 201, order_json(order, state.base_url)


async def get_capture(request: Request) -> Response:
    state = state_of(request)
    found = state.capture_of(request.path_params["capture_id"])
    if found is None or found[0].client_id != client_of(request):
        return problem(404, *NOT_FOUND)
    return JSONResponse(capture_json(*found, state.base_url))


async def refund_capture(request: Request) -> Response:
    state, client = state_of(request), client_of(request)
    found = state.capture_of(request.path_params["capture_id"])
    if found is None or found[0].client_id != client:
        return problem(404, *NOT_FOUND)
    order, capture = found
    body = await read_json(request, empty={})
    if not isinstance(body, dict):
        return problem(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
    request_id = request.headers.get("paypal-request-id", "")
    known = state.refund_requests.get((client, request_id)) if request_id else None
    if known is not None:
        refund = state.refunds[known]
        if refund.request_body != body:
            return problem(422, "PAYPAL_REQUEST_ID_PREVIOUSLY_USED",
                           "The PayPal-Request-Id has already been used for another request.")
        refund.requests += 1
        return JSONResponse(refund_json(refund, state.base_url), status_code=200)
    refusal, value = _refund_refusal(state, capture, body)
    if refusal is not None:
        return refusal
    script = state.take_script(order.payer_email, REFUND_OUTCOMES)
    outcome = script.outcome.removeprefix("REFUND_") if script is not None else "COMPLETED"
    delay = script.delay if script is not None else state.settle_seconds
    settled_now = outcome != "PENDING" and not delay
    refund = Refund(id=new_id(17), client_id=client, order_id=order.id, capture_id=capture.id,
                    request_id=request_id, request_body=body, value=text(value, capture.currency),
                    currency=capture.currency, status=outcome if settled_now else "PENDING",
                    note=str(body.get("note_to_payer", "")), reason="" if settled_now else "ECHECK")
    state.refunds[refund.id] = refund
    if request_id:
        state.refund_requests[(client, request_id)] = refund.id
    copies, callback_delay = (script.callback_copies, script.callback_delay) if script else (1, 0.0)

    def settle() -> None:
        refund.status, refund.reason, refund.updated = outcome, "", now()
        if outcome == "COMPLETED":
            given_back = sum(Decimal(other.value) for other in state.refunds.values()
                             if other.capture_id == capture.id and other.status == "COMPLETED")
            capture.status = "REFUNDED" if given_back >= Decimal(capture.value) else "PARTIALLY_REFUNDED"
            capture.updated = now()
            publish(state, request.app.state.callbacks, client_id=client, event_type="PAYMENT.CAPTURE.REFUNDED",
                    resource=refund_json(refund, state.base_url), delay=callback_delay, copies=copies)

    if settled_now:
        settle()
    elif outcome != "PENDING":
        state.later(delay, settle)
    if script is not None and script.answer_delay:
        await asyncio.sleep(script.answer_delay)
    return JSONResponse(refund_json(refund, state.base_url), status_code=201)


def _refund_refusal(state: State, capture: Capture, body: dict[str, Any]) -> tuple[Response | None, Decimal]:
    if capture.status == "PENDING":
        return problem(422, "PENDING_CAPTURE", "Cannot initiate a refund as the capture is pending."), Decimal(0)
    if capture.status in ("DECLINED", "FAILED"):
        return problem(422, "REFUND_NOT_ALLOWED", "Refund cannot be issued for this capture."), Decimal(0)
    taken = sum(Decimal(refund.value) for refund in state.refunds.values()
                if refund.capture_id == capture.id and refund.status in ("COMPLETED", "PENDING"))
    left = Decimal(capture.value) - taken
    if left <= 0:
        return problem(422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded."), left
    if "amount" not in body:
        return None, left
    issue = amount_problem(body["amount"])
    if issue is not None:
        return problem(400 if issue[0] in SYNTAX_ISSUES else 422, *issue), left
    if body["amount"]["currency_code"] != capture.currency:
        return problem(422, "REFUND_CAPTURE_CURRENCY_MISMATCH",
                       "Refund must be in the same currency as the capture."), left
    value = Decimal(body["amount"]["value"])
    if value > left:
        return problem(422, "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the "
                       "capture amount that has not yet been refunded."), left
    return None, value


async def get_refund(request: Request) -> Response:
    state = state_of(request)
    refund = state.refunds.get(request.path_params["refund_id"])
    if refund is None or refund.client_id != client_of(request):
        return problem(404, *NOT_FOUND)
    return JSONResponse(refund_json(refund, state.base_url))
