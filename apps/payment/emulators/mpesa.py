"""An emulator of Safaricom's Daraja API (PROVIDERS.md section 1) for tests and the demo.

It speaks Daraja's paths, bodies and error codes: OAuth with Basic auth, STK push (the Password checked) and
query, callbacks per outcome, C2B URL registration with validation and confirmation, transaction status
and reversals answered at their ResultURL. Its sandbox account is mpesa_state.SANDBOX_*; the test phone
254708374149 pays, any other number is out of reach (1037) unless scripted. Its own choices where Daraja's
material says nothing: a missing Authorization header is answered 400 "404.001.04"; a transaction status
query of an unknown receipt fails with R000002; a reversal gives back the whole transaction.

Control endpoints under /_emu (see the payment providers' common brief): reset, callbacks, script, fail,
tokens/expire, transactions, and c2b/pay, a customer paying the paybill from their phone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.payment.emulators.mpesa_control import control_routes
from apps.payment.emulators.mpesa_state import (
    INVALID_INITIATOR,
    PROCESSED,
    REVERSAL_FAILURES,
    SANDBOX_CONSUMER_KEY,
    SANDBOX_CONSUMER_SECRET,
    SANDBOX_INITIATOR,
    SANDBOX_SECURITY_CREDENTIAL,
    STK_OUTCOMES,
    TEST_PHONE,
    TOKEN_SECONDS,
    Push,
    Registration,
    Script,
    State,
    now_stamp,
    payer_of,
    result_body,
    stk_callback,
)
from apps.payment.emulators.mpesa_state import Request as ResultRequest
from apps.payment.providers.mpesa_wire import BEING_PROCESSED, TRANSACTION_TYPES, WRONG_CREDENTIALS_MESSAGE
from transport.emulators.callbacks import CallbackSender

PHONE = re.compile(r"^254(7|1)\d{8}$")
SHORTCODE = re.compile(r"^\d{5,7}$")
URL = re.compile(r"^https?://[^/\s]+(/\S*)?$")
TIMESTAMP = re.compile(r"^\d{14}$")


class Refused(Exception):
    """Answer `status` with Daraja's error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return error(self.status, self.code, self.message)


def error(status: int, code: str, message: str) -> JSONResponse:
    body = {"requestId": f"{secrets.randbelow(10**5)}-{secrets.randbelow(10**8)}-1", "errorCode": code,
            "errorMessage": message}
    return JSONResponse(body, status_code=status)


def bad(field: str) -> Refused:
    return Refused(400, "400.002.02", f"Bad Request - Invalid {field}")


def emulator(request: Request) -> tuple[State, CallbackSender]:
    return request.app.state.mpesa, request.app.state.callbacks


def create_app(*, settle_seconds: float = 2.0) -> Starlette:
    """The emulator; outcomes settle `settle_seconds` after the request unless a script says otherwise."""
    app = Starlette(routes=[
        Route("/oauth/v1/generate", oauth, methods=["GET"]),
        Route("/mpesa/stkpush/v1/processrequest", api(stk_push), methods=["POST"]),
        Route("/mpesa/stkpushquery/v1/query", api(stk_query), methods=["POST"]),
        Route("/mpesa/reversal/v1/request", api(reversal), methods=["POST"]),
        Route("/mpesa/transactionstatus/v1/query", api(transaction_status), methods=["POST"]),
        Route("/mpesa/c2b/v1/registerurl", api(c2b_register), methods=["POST"]),
        *control_routes(),
    ])
    app.state.mpesa = State(settle_seconds)
    app.state.callbacks = CallbackSender()
    return app


async def oauth(request: Request) -> Response:
    state, _ = emulator(request)
    failed = state.take_failure(request.url.path)
    if failed:
        return error(failed, f"{failed}.003.01", HTTPStatus(failed).phrase)
    expected = base64.b64encode(f"{SANDBOX_CONSUMER_KEY}:{SANDBOX_CONSUMER_SECRET}".encode()).decode()
    given = request.headers.get("authorization", "")
    if request.query_params.get("grant_type") != "client_credentials" or not secrets.compare_digest(
            given.encode(), f"Basic {expected}".encode()):
        return Response(status_code=400)  # Daraja's answer to bad credentials: an empty body
    state.request_counts[request.url.path] = state.request_counts.get(request.url.path, 0) + 1
    return JSONResponse({"access_token": state.issue_token(), "expires_in": str(TOKEN_SECONDS)})


Handler = Callable[[Request, State, dict[str, Any]], Awaitable[Response]]


def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A Daraja API endpoint: scripted failures, then the Bearer token, then a JSON object body."""

    async def endpoint(request: Request) -> Response:
        state, _ = emulator(request)
        path = request.url.path
        failed = state.take_failure(path)
        if failed:
            return error(failed, f"{failed}.003.01", HTTPStatus(failed).phrase)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return error(400, "404.001.04", "Invalid Authentication Header")
        if not state.token_valid(token):
            return error(404, "404.001.03", "Invalid Access Token")
        state.request_counts[path] = state.request_counts.get(path, 0) + 1
        try:
            body = await request.json()
        except ValueError:
            body = None
        try:
            if not isinstance(body, dict):
                raise Refused(400, "400.002.02", "Bad Request - Invalid JSON")
            return await handler(request, state, body)
        except Refused as refused:
            return refused.response()

    return endpoint


def text(body: dict[str, Any], field: str, *, pattern: re.Pattern[str] | None = None, max_length: int = 0) -> str:
    value = body.get(field)
    if value is None or isinstance(value, bool | dict | list):
        raise bad(field)
    value = str(value).strip()
    if not value or (pattern and not pattern.match(value)) or (max_length and len(value) > max_length):
        raise bad(field)
    return value


def whole_amount(body: dict[str, Any]) -> int:
    value = body.get("Amount")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad("Amount")
    try:
        number = float(value)
    except ValueError:
        raise bad("Amount") from None
    if number < 1 or number != int(number):
        raise bad("Amount")
    return int(number)


def check_password(state: State, body: dict[str, Any]) -> str:
    shortcode = text(body, "BusinessShortCode", pattern=SHORTCODE)
    if shortcode not in state.passkeys:
        raise bad("BusinessShortCode")
    stamp = text(body, "Timestamp", pattern=TIMESTAMP)
    expected = base64.b64encode(f"{shortcode}{state.passkeys[shortcode]}{stamp}".encode()).decode()
    if not secrets.compare_digest(text(body, "Password").encode(), expected.encode()):
        raise Refused(500, BEING_PROCESSED, WRONG_CREDENTIALS_MESSAGE)
    return shortcode


async def stk_push(request: Request, state: State, body: dict[str, Any]) -> Response:
    shortcode = check_password(state, body)
    if text(body, "TransactionType") not in TRANSACTION_TYPES:
        raise bad("TransactionType")
    amount = whole_amount(body)
    phone = text(body, "PhoneNumber", pattern=PHONE)
    text(body, "PartyA", pattern=PHONE)
    text(body, "PartyB", pattern=SHORTCODE)
    callback_url = text(body, "CallBackURL", pattern=URL)
    reference = text(body, "AccountReference", max_length=12)
    text(body, "TransactionDesc", max_length=13)

    script = state.take_script(phone, reversal=False)
    outcome = script.outcome if script else "success" if phone == TEST_PHONE else "timeout"
    delay = script.delay if script and script.delay is not None else state.settle_seconds
    push = Push(
        checkout_id=f"ws_CO_{now_stamp()}{secrets.randbelow(10**8):08d}",
        merchant_id=f"{secrets.randbelow(10**5)}-{secrets.randbelow(10**8)}-1", shortcode=shortcode,
        amount=amount, phone=phone, reference=reference, callback_url=callback_url,
        result_code=STK_OUTCOMES[outcome], settle_at=time.monotonic() + delay, transacted_at=now_stamp(),
    )
    if push.result_code == 0:
        push.receipt = state.receipt()
    state.pushes[push.checkout_id] = push
    settle(request, delay=delay, script=script, url=callback_url, body=lambda: stk_callback(push))
    if script and script.answer_delay:
        await asyncio.sleep(script.answer_delay)  # the push goes on; the client may no longer be listening
    accepted = "Success. Request accepted for processing"
    return JSONResponse({"MerchantRequestID": push.merchant_id, "CheckoutRequestID": push.checkout_id,
                         "ResponseCode": "0", "ResponseDescription": accepted, "CustomerMessage": accepted})


def settle(request: Request, *, delay: float, script: Script | None, url: str,
           body: Callable[[], dict[str, Any]]) -> None:
    """Send the callback `body()` to `url` once the outcome settles, unless the emulator was reset meanwhile."""
    state, callbacks = emulator(request)
    generation = state.generation
    copies = script.callback_copies if script else 1
    callback_delay = script.callback_delay if script else 0.0

    async def later() -> None:
        await asyncio.sleep(delay)
        if state.generation == generation:
            callbacks.schedule(url=url, body=json.dumps(body()).encode(), delay=callback_delay, copies=copies)

    task = asyncio.get_running_loop().create_task(later())
    state.tasks.add(task)  # held, so that it is not collected before it runs
    task.add_done_callback(state.tasks.discard)


async def stk_query(request: Request, state: State, body: dict[str, Any]) -> Response:
    check_password(state, body)
    push = state.pushes.get(text(body, "CheckoutRequestID"))
    if push is None:
        raise bad("CheckoutRequestID")
    if not push.settled:
        raise Refused(500, BEING_PROCESSED, "The transaction is being processed")
    callback = stk_callback(push)["Body"]["stkCallback"]
    return JSONResponse({
        "ResponseCode": "0", "ResponseDescription": "The service request has been accepted successsfully",
        "MerchantRequestID": push.merchant_id, "CheckoutRequestID": push.checkout_id,
        "ResultCode": str(push.result_code), "ResultDesc": callback["ResultDesc"],
    })


def initiator_fields(body: dict[str, Any], command: str) -> bool:
    """Validate the fields every initiator request has; True when the initiator and credential are the
    sandbox's (a wrong pair is refused in the result, as M-Pesa checks it behind the gateway)."""
    initiator = text(body, "Initiator")
    credential = text(body, "SecurityCredential")
    if text(body, "CommandID") != command:
        raise bad("CommandID")
    text(body, "ResultURL", pattern=URL)
    text(body, "QueueTimeOutURL", pattern=URL)
    text(body, "Remarks", max_length=100)
    return initiator == SANDBOX_INITIATOR and secrets.compare_digest(credential, SANDBOX_SECURITY_CREDENTIAL)


def accepted_request(request: Request, state: State, result: ResultRequest, script: Script | None
                     ) -> JSONResponse:
    state.requests[result.originator_id] = result
    settle(request, delay=result.settle_at - time.monotonic(), script=script, url=result.result_url,
           body=lambda: result.result)
    return JSONResponse({"OriginatorConversationID": result.originator_id,
                         "ConversationID": result.conversation_id, "ResponseCode": "0",
                         "ResponseDescription": "Accept the service request successfully."})


async def reversal(request: Request, state: State, body: dict[str, Any]) -> Response:
    valid_initiator = initiator_fields(body, "TransactionReversal")
    receipt = text(body, "TransactionID")
    amount = whole_amount(body)
    text(body, "ReceiverParty", pattern=SHORTCODE)
    text(body, "RecieverIdentifierType")
    paid = state.paid(receipt)
    payer = payer_of(paid)[0] if paid else ""
    script = state.take_script(payer, reversal=True) if paid else None
    delay = script.delay if script and script.delay is not None else state.settle_seconds
    originator, conversation = state.conversation_ids()
    result = ResultRequest(kind="reversal", originator_id=originator, conversation_id=conversation,
                           transaction_id=receipt, amount=amount, payer=payer,
                           result_url=str(body["ResultURL"]).strip(), settle_at=time.monotonic() + delay)
    if not valid_initiator:
        result.result = result_body(result, code=INVALID_INITIATOR[0], desc=INVALID_INITIATOR[1])
    elif script:
        result.result = result_body(result, code=script.outcome, desc=REVERSAL_FAILURES[script.outcome])
    elif paid is None:
        result.result = result_body(result, code="R000002", desc=REVERSAL_FAILURES["R000002"])
    elif paid.reversed:
        result.result = result_body(result, code="R000001", desc=REVERSAL_FAILURES["R000001"])
    else:
        paid.reversed = True
        result.result = result_body(result, code=0, desc=PROCESSED, transaction_id=state.receipt(), parameters={
            "DebitAccountBalance": "Utility Account|KES|0.00|0.00|0.00|0.00", "Amount": paid.amount,
            "TransCompletedTime": int(now_stamp()), "OriginalTransactionID": receipt, "Charge": 0,
            "CreditPartyPublicName": payer_of(paid)[1], "DebitPartyPublicName": f"{paid.shortcode} - Emulator",
        })
    if script and script.answer_delay:
        state.requests[result.originator_id] = result
        await asyncio.sleep(script.answer_delay)
    return accepted_request(request, state, result, script)


async def transaction_status(request: Request, state: State, body: dict[str, Any]) -> Response:
    valid_initiator = initiator_fields(body, "TransactionStatusQuery")
    receipt = text(body, "TransactionID")
    text(body, "PartyA", pattern=SHORTCODE)
    text(body, "IdentifierType")
    originator, conversation = state.conversation_ids()
    paid = state.paid(receipt)
    result = ResultRequest(kind="transaction_status", originator_id=originator, conversation_id=conversation,
                           transaction_id=receipt, amount=paid.amount if paid else None,
                           payer=payer_of(paid)[0] if paid else "", result_url=str(body["ResultURL"]).strip(),
                           settle_at=time.monotonic() + state.settle_seconds)
    if not valid_initiator:
        result.result = result_body(result, code=INVALID_INITIATOR[0], desc=INVALID_INITIATOR[1])
    elif paid is None:
        result.result = result_body(result, code="R000002", desc=REVERSAL_FAILURES["R000002"])
    else:
        stamp = int(paid.transacted_at)
        result.result = result_body(result, code=0, desc=PROCESSED, transaction_id=state.receipt(), parameters={
            "ReceiptNo": receipt, "Conversation ID": conversation, "FinalisedTime": stamp, "Amount": paid.amount,
            "TransactionStatus": "Reversed" if paid.reversed else "Completed",
            "ReasonType": "Pay Bill Online" if isinstance(paid, Push) else "Pay Bill",
            "TransactionReason": "", "DebitPartyCharges": "", "DebitAccountType": "MMF Account",
            "InitiatedTime": stamp, "Originator Conversation ID": originator,
            "CreditPartyName": f"{paid.shortcode} - Emulator", "DebitPartyName": payer_of(paid)[1],
        })
    return accepted_request(request, state, result, None)


async def c2b_register(request: Request, state: State, body: dict[str, Any]) -> Response:
    shortcode = text(body, "ShortCode", pattern=SHORTCODE)
    if shortcode not in state.passkeys:
        raise bad("ShortCode")
    response_type = text(body, "ResponseType")
    if response_type not in ("Completed", "Cancelled"):
        raise bad("ResponseType")
    state.registrations[shortcode] = Registration(
        response_type=response_type, confirmation_url=text(body, "ConfirmationURL", pattern=URL),
        validation_url=text(body, "ValidationURL", pattern=URL))
    return JSONResponse({"OriginatorCoversationID": state.conversation_ids()[0], "ResponseCode": "0",
                         "ResponseDescription": "Success"})
