"""Africa's Talking's SMS API (PROVIDERS.md section 4): POST {base}/version1/messaging, one recipient a call.

The answer is 201 with `SMSMessageData.Recipients[0]`, whose `statusCode` says what became of the message:
100 processed, 101 sent, 102 queued are accepted; the others are failures, permanent or not as
apps/notification/sms/backends.py explains:

    permanent  402 invalid sender id, 403 invalid number, 404 unsupported number type, 406 blacklisted,
               409 do-not-disturb rejection
    transient  401 risk hold, 405 insufficient balance, 407 could not route, 500/501/502 gateway errors, any code
               we do not know

Over HTTP: 401 is a username or API key refused (transient: an operator mends the account, the message waits),
429 and 5xx transient, another 4xx permanent. An answer with no recipient names its reason in `Message`
("InvalidSenderId" is 402's). Africa's Talking takes no report URL per message: its delivery reports go to the
URL set in the account's dashboard (see apps/notification/sms/reports.py for ours).
"""

from __future__ import annotations

from typing import Any

import httpx

from apps.notification.sms.backends import CredentialField, SmsAccepted, SmsBackend, SmsFailure
from transport import outbound_http

MESSAGING_PATH = "/version1/messaging"
ACCEPTED = frozenset({100, 101, 102})
PERMANENT = frozenset({402, 403, 404, 406, 409})
INVALID_SENDER_ID = 402
REASON_LIMIT = 300


class AfricasTalking(SmsBackend):
    name = "africastalking"
    verbose_name = "Africa's Talking"
    credential_fields = (CredentialField("username", "Username", secret=False), CredentialField("api_key", "API key"))

    def send(self, *, to: str, text: str, sender_id: str, report_url: str) -> SmsAccepted:
        form = {"username": self.credential("username"), "to": to, "message": text}
        if sender_id:
            form["from"] = sender_id
        try:
            response = outbound_http.pool().post(
                self.base_url + MESSAGING_PATH, data=form, timeout=self.timeout(),
                headers={"apiKey": self.credential("api_key"), "Accept": "application/json"})
        except httpx.TimeoutException:
            raise SmsFailure(code="timeout", reason="Africa's Talking did not answer in time; the message may "
                                                    "have been sent.", permanent=False) from None
        except httpx.HTTPError as exc:
            raise SmsFailure(code="connection", reason=f"Africa's Talking could not be reached "
                                                       f"({type(exc).__name__}).", permanent=False) from None
        return _accepted(response)


def _accepted(response: httpx.Response) -> SmsAccepted:
    status = response.status_code
    if status == 401:
        raise SmsFailure(code="http_401", reason="Africa's Talking refused the username or API key.",
                         permanent=False)
    if status not in (200, 201):
        raise SmsFailure(code=f"http_{status}", reason=_text(response), permanent=400 <= status < 500
                         and status not in (408, 429))
    try:
        data = response.json()["SMSMessageData"]
        recipients: list[dict[str, Any]] = data["Recipients"]
        if not recipients:
            raise _no_recipient(str(data.get("Message", "")))
        recipient = recipients[0]
        code = int(recipient["statusCode"])
    except (ValueError, KeyError, TypeError, IndexError):
        raise SmsFailure(code="malformed", reason=f"Africa's Talking answered {status} with a body we cannot "
                                                  f"read: {_text(response)}", permanent=False) from None
    if code not in ACCEPTED:
        raise SmsFailure(code=str(code), reason=str(recipient.get("status", "")) or "Refused",
                         permanent=code in PERMANENT)
    return SmsAccepted(message_id=str(recipient.get("messageId", "")), status=str(recipient.get("status", "")),
                       cost=str(recipient.get("cost", "")))


def _no_recipient(message: str) -> SmsFailure:
    if "InvalidSenderId" in message:
        return SmsFailure(code=str(INVALID_SENDER_ID), reason="InvalidSenderId", permanent=True)
    return SmsFailure(code="malformed", reason=f"No recipient in the answer: {message[:REASON_LIMIT]}",
                      permanent=False)


def _text(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:REASON_LIMIT]
