"""An emulator of Twilio's Messages API (PROVIDERS.md section 4), for tests, the bench and the demo.

POST /2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth with the account SID and auth token (401 code
20003 otherwise; another account's SID in the path: 404 code 20404), form `To, From | MessagingServiceSid, Body,
StatusCallback?`: 201 with the message resource (`sid` "SM...", `status` "queued", or "accepted" through a
Messaging Service), or Twilio's error JSON `{"code", "message", "more_info", "status"}`: 21604 no To, 21602 no
Body, 21603 no sender, 21212 a From that is no number or alphanumeric id, 21701 a malformed Messaging Service
SID, 21211 a To not in E.164, and the refusals the number's script says (state.py).

Status callbacks go to the StatusCallback given, as Twilio posts them: a form of `AccountSid, ApiVersion, From,
MessageSid, MessageStatus, SmsSid, SmsStatus, To` (and `ErrorCode` when undelivered), signed in
X-Twilio-Signature with the account's auth token exactly as Twilio signs (computed here on its own, not with the
platform's code): "sent" at once, then "delivered" or "undelivered" (30003) after the report delay.

    python -m apps.notification.emulators.twilio --port 8021
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.notification.emulators import accounts
from apps.notification.emulators.control import GatewayState, control_routes, form_of, serve, state_of
from apps.notification.emulators.state import ACCEPTING, Message, Script
from apps.notification.segments import sms_segments

GATEWAY = "twilio"
API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}$")
REFUSAL_CODES = {"invalid": 21211, "blacklisted": 21610}
HTTP_ERROR_CODES = {429: 20429, 500: 20500, 503: 20503}
UNDELIVERED = "30003"  # unreachable destination handset
MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21212: "The 'From' number {sender} is not a valid phone number, shortcode, or alphanumeric sender ID.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this "
           "destination/account.",
    21610: "Attempt to send to unsubscribed recipient",
    21701: "The Messaging Service Sid {sender} is invalid.",
}


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each parameter, sorted by name, name + value."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def error(code: int, status: int, **values: str) -> JSONResponse:
    message = MESSAGES.get(code, "The request was refused.").format(to=values.get("to", ""),
                                                                     sender=values.get("sender", ""))
    return JSONResponse({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                         "status": status}, status_code=status)


def _basic_auth(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return (user, password) if scheme.lower() == "basic" else ("", "")


def _now() -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())


def _resource(sid: str, message: Message, service: str) -> dict[str, Any]:
    count = sms_segments(message.text)
    return {"account_sid": message.account, "api_version": API_VERSION, "body": message.text,
            "date_created": _now(), "date_sent": None, "date_updated": _now(), "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": message.sender or None,
            "messaging_service_sid": service or None, "num_media": "0", "num_segments": str(count.segments),
            "price": None, "price_unit": "USD", "sid": sid, "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"/{API_VERSION}/Accounts/{message.account}/Messages/{sid}/Media.json"},
            "to": message.to, "uri": f"/{API_VERSION}/Accounts/{message.account}/Messages/{sid}.json"}


def _callback(state: GatewayState, message: Message, url: str, status: str, *, delay: float) -> None:
    params = {"AccountSid": message.account, "ApiVersion": API_VERSION, "From": message.sender,
              "MessageSid": message.message_id, "MessageStatus": status, "SmsSid": message.message_id,
              "SmsStatus": status, "To": message.to}
    if status == "undelivered":
        params["ErrorCode"] = UNDELIVERED
    message.reports.append(status)
    state.callbacks.schedule(url=url, body=urlencode(params).encode(), delay=delay, headers={
        "content-type": "application/x-www-form-urlencoded", "user-agent": "TwilioProxy/1.1",
        "i-twilio-idempotency-token": secrets.token_hex(16),
        "x-twilio-signature": signature(state.accounts[message.account], url, params)})


def _refusal(script: Script) -> int:
    return REFUSAL_CODES.get(script.outcome, script.code)


async def create_message(request: Request) -> Response:
    state = state_of(request)
    user, token = _basic_auth(request)
    if not user or state.accounts.get(user) != token:
        return error(20003, 401)
    if request.path_params["sid"] != user:
        return error(20404, 404)
    form = await form_of(request)
    to, text, callback = form.get("To", ""), form.get("Body", ""), form.get("StatusCallback", "")
    sender, service = form.get("From", ""), form.get("MessagingServiceSid", "")
    checks = [(not to, 21604), (not text, 21602), (not sender and not service, 21603),
              (bool(sender) and not (E164.match(sender) or ALPHANUMERIC.match(sender)), 21212),
              (bool(service) and not MESSAGING_SERVICE.match(service), 21701)]
    failed = next((code for broken, code in checks if broken), None)
    if failed is not None:
        return error(failed, 400, to=to, sender=sender or service)
    script = state.scripts.take(to) if E164.match(to) else Script("invalid")
    message = Message(gateway=GATEWAY, account=user, to=to, sender=sender or service, text=text)
    answer = _taken_or_refused(state, message, script, service=service, callback=callback)
    await asyncio.sleep(script.answer_delay)  # taken already: a late answer only
    return answer


def _taken_or_refused(state: GatewayState, message: Message, script: Script, *, service: str,
                      callback: str) -> Response:
    if script.outcome == "http_error":
        message.status, message.code = "http_error", str(script.status)
        state.inbox.add(message)
        return error(HTTP_ERROR_CODES.get(script.status, 20500), script.status)
    if script.outcome not in ACCEPTING:
        message.status, message.code = "refused", str(_refusal(script))
        state.inbox.add(message)
        return error(_refusal(script), 400, to=message.to, sender=message.sender)
    message.message_id = f"SM{secrets.token_hex(16)}"
    state.inbox.add(message)
    if callback:
        _callback(state, message, callback, "sent", delay=0.0)
        if script.outcome != "silent":
            delay = state.report_delay if script.report_delay is None else script.report_delay
            _callback(state, message, callback, "delivered" if script.outcome == "deliver" else "undelivered",
                      delay=delay)
    return JSONResponse(_resource(message.message_id, message, service), status_code=201)


def create_app(*, report_delay: float = 2.0) -> Starlette:
    app = Starlette(routes=[Route(f"/{API_VERSION}/Accounts/{{sid}}/Messages.json", create_message,
                                  methods=["POST"]), *control_routes()])
    app.state.gateway = GatewayState(gateway=GATEWAY, report_delay=report_delay,
                                     default_accounts={accounts.TWILIO_ACCOUNT_SID: accounts.TWILIO_AUTH_TOKEN})
    return app


if __name__ == "__main__":
    serve(create_app, __doc__)
