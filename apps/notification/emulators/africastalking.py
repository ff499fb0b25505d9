"""An emulator of Africa's Talking's SMS API (PROVIDERS.md section 4), for tests, the bench and the demo.

POST /version1/messaging with the `apiKey` header and the form `username, to (comma-separated), message, from?`:
401 "The supplied authentication is invalid" (text/plain) for an unknown username or a wrong key; a sender id
the account cannot use answers `Message: "InvalidSenderId"` with no recipient; otherwise 201 with one recipient
per number, each `statusCode` 101 Success (cost KES 0.8000 a segment) or the refusal the number's script says
(state.py), a number not in E.164 403 InvalidPhoneNumber. JSON with `Accept: application/json` (content type
exactly `application/json`), else Africa's Talking's XML.

Delivery reports go to the URL set for the username (POST /_emu/report-url {"account", "url"}: what the
dashboard holds on the real gateway), as its unsigned form posts: `id, status, phoneNumber, networkCode,
failureReason, retryCount`; "Sent" at once, then "Success" or "Failed" after the report delay. Without a URL
they are only recorded (GET /_emu/reports).

    python -m apps.notification.emulators.africastalking --port 8020
"""

from __future__ import annotations

import asyncio
import re
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from apps.notification.emulators import accounts
from apps.notification.emulators.control import (
    GatewayState,
    control_body,
    control_routes,
    form_of,
    refused,
    serve,
    state_of,
)
from apps.notification.emulators.state import ACCEPTING, Message, Script
from apps.notification.segments import sms_segments

GATEWAY = "africastalking"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$|^\d{3,8}$")
COST_PER_SEGMENT = Decimal("0.8000")
NETWORK_CODE = "63902"  # Safaricom
STATUS_NAMES = {100: "Processed", 101: "Success", 102: "Queued", 401: "RiskHold", 402: "InvalidSenderId",
                403: "InvalidPhoneNumber", 404: "UnsupportedNumberType", 405: "InsufficientBalance",
                406: "UserInBlacklist", 407: "CouldNotRoute", 409: "DoNotDisturbRejection",
                500: "InternalServerError", 501: "GatewayError", 502: "RejectedByGateway"}
REFUSAL_CODES = {"invalid": 403, "blacklisted": 406}
FORM = "application/x-www-form-urlencoded"


def _recipient(state: GatewayState, *, username: str, number: str, text: str, sender: str,
               script: Script) -> dict[str, Any]:
    """Take or refuse one number, as its script says; schedule the reports of one taken."""
    code = 101 if script.outcome in ACCEPTING else REFUSAL_CODES.get(script.outcome, script.code)
    final = "Success" if script.outcome in ("deliver", "code") else "Failed"
    message = Message(gateway=GATEWAY, account=username, to=number, sender=sender, text=text, code=str(code))
    if code not in (100, 101, 102):
        message.status = "refused"
        state.inbox.add(message)
        return {"statusCode": code, "number": number, "status": STATUS_NAMES.get(code, "Failed"), "cost": "0",
                "messageId": "None"}
    message.message_id = f"ATXid_{secrets.token_hex(16)}"
    state.inbox.add(message)
    cost = f"KES {COST_PER_SEGMENT * sms_segments(text).segments:.4f}"
    _report(state, message, "Sent", delay=0.0)
    if script.outcome != "silent":
        delay = state.report_delay if script.report_delay is None else script.report_delay
        _report(state, message, final, delay=delay, failure_reason="" if final == "Success" else "DeliveryFailure")
    return {"statusCode": code, "number": number, "status": STATUS_NAMES[code], "cost": cost,
            "messageId": message.message_id}


def _report(state: GatewayState, message: Message, status: str, *, delay: float, failure_reason: str = "") -> None:
    values = {"id": message.message_id, "status": status, "phoneNumber": message.to, "networkCode": NETWORK_CODE,
              "retryCount": "0"}
    if failure_reason:
        values["failureReason"] = failure_reason
    message.reports.append(status)
    state.callbacks.schedule(url=state.report_urls.get(message.account, ""), body=urlencode(values).encode(),
                             headers={"content-type": FORM}, delay=delay)


def _answer(request: Request, summary: str, recipients: list[dict[str, Any]]) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"SMSMessageData": {"Message": summary, "Recipients": recipients}}, status_code=201)
    rows = "".join("<Recipient>" + "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in row.items())
                   + "</Recipient>" for row in recipients)
    xml = (f"<?xml version='1.0' encoding='UTF-8'?><AfricasTalkingResponse><SMSMessageData><Message>"
           f"{escape(summary)}</Message><Recipients>{rows}</Recipients></SMSMessageData></AfricasTalkingResponse>")
    return Response(xml, status_code=201, media_type="application/xml")


def _summary(recipients: list[dict[str, Any]]) -> str:
    taken = [row for row in recipients if row["statusCode"] in (100, 101, 102)]
    total = sum((Decimal(row["cost"].split()[1]) for row in taken), Decimal(0))
    return f"Sent to {len(taken)}/{len(recipients)} Total Cost: " + (f"KES {total:.4f}" if taken else "0")


async def messaging(request: Request) -> Response:
    state = state_of(request)
    form = await form_of(request)
    username, text, sender = form.get("username", ""), form.get("message", ""), form.get("from", "")
    if username not in state.accounts or request.headers.get("apikey") != state.accounts[username]:
        return PlainTextResponse("The supplied authentication is invalid", status_code=401)
    numbers = [number.strip() for number in form.get("to", "").split(",") if number.strip()]
    if not numbers or not text:
        return PlainTextResponse("Request is missing required form field 'to' or 'message'", status_code=400)
    if sender and not SENDER_ID.match(sender):
        return _answer(request, "InvalidSenderId", [])
    scripts = [state.scripts.take(number) if E164.match(number) else Script("invalid") for number in numbers]
    answer = _taken_or_refused(request, state, username=username, numbers=numbers, text=text, sender=sender,
                               scripts=scripts)
    await asyncio.sleep(max(script.answer_delay for script in scripts))  # taken already: a late answer only
    return answer


def _taken_or_refused(request: Request, state: GatewayState, *, username: str, numbers: list[str], text: str,
                      sender: str, scripts: list[Script]) -> Response:
    failing = next((script for script in scripts if script.outcome == "http_error"), None)
    if failing is not None:
        for number in numbers:
            state.inbox.add(Message(gateway=GATEWAY, account=username, to=number, sender=sender, text=text,
                                    status="http_error", code=str(failing.status)))
        return PlainTextResponse("The gateway could not process the request", status_code=failing.status)
    recipients = [_recipient(state, username=username, number=number, text=text, sender=sender, script=script)
                  for number, script in zip(numbers, scripts, strict=True)]
    return _answer(request, _summary(recipients), recipients)


async def report_url(request: Request) -> Response:
    try:
        body = await control_body(request)
        account, url = str(body["account"]), str(body["url"])
    except (KeyError, ValueError) as exc:
        return refused(f"Bad report URL: {exc}")
    state_of(request).report_urls[account] = url
    return JSONResponse({"account": account, "url": url})


def create_app(*, report_delay: float = 2.0) -> Starlette:
    app = Starlette(routes=[Route("/version1/messaging", messaging, methods=["POST"]),
                            Route("/_emu/report-url", report_url, methods=["POST"]), *control_routes()])
    app.state.gateway = GatewayState(gateway=GATEWAY, report_delay=report_delay,
                                     default_accounts={accounts.AFRICASTALKING_USERNAME:
                                                       accounts.AFRICASTALKING_API_KEY})
    return app


if __name__ == "__main__":
    serve(create_app, __doc__)
