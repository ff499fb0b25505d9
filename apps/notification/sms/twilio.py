"""Twilio's Messages API (PROVIDERS.md section 4): POST {base}/2010-04-01/Accounts/{sid}/Messages.json with Basic
auth (account SID : auth token), form To, From (or MessagingServiceSid for a sender id starting "MG"), Body and
StatusCallback (where Twilio posts this message's signed status callbacks). 201 `{"sid", "status"}`.

Errors are `{"code", "message", "status"}`, permanent or not as apps/notification/sms/backends.py explains:

    permanent  21211 invalid To, 21614 To not a mobile number, 21612 To unreachable from this sender,
               21610 unsubscribed (STOP) or blacklisted, 21606 and 21212 From not valid for the account,
               21408 region not enabled, 21602/21604 no Body or To, 21617 Body too long, and any other code of
               a 4xx answer but these:
    transient  20003 authentication refused (HTTP 401), 20429 and HTTP 429 too many requests, any 5xx
"""

from __future__ import annotations

import httpx

from apps.notification.sms.backends import CredentialField, SmsAccepted, SmsBackend, SmsFailure
from transport import outbound_http

API_VERSION = "2010-04-01"
MESSAGING_SERVICE_PREFIX = "MG"
TRANSIENT_CODES = frozenset({"20003", "20429"})
REASON_LIMIT = 300


class Twilio(SmsBackend):
    name = "twilio"
    verbose_name = "Twilio"
    credential_fields = (CredentialField("account_sid", "Account SID", secret=False),
                         CredentialField("auth_token", "Auth token"))

    def send(self, *, to: str, text: str, sender_id: str, report_url: str) -> SmsAccepted:
        sid = self.credential("account_sid")
        form = {"To": to, "Body": text}
        form["MessagingServiceSid" if sender_id.startswith(MESSAGING_SERVICE_PREFIX) else "From"] = sender_id
        if report_url:
            form["StatusCallback"] = report_url
        try:
            response = outbound_http.pool().post(
                f"{self.base_url}/{API_VERSION}/Accounts/{sid}/Messages.json", data=form, timeout=self.timeout(),
                auth=(sid, self.credential("auth_token")), headers={"Accept": "application/json"})
        except httpx.TimeoutException:
            raise SmsFailure(code="timeout", reason="Twilio did not answer in time; the message may have been "
                                                    "sent.", permanent=False) from None
        except httpx.HTTPError as exc:
            raise SmsFailure(code="connection", reason=f"Twilio could not be reached ({type(exc).__name__}).",
                             permanent=False) from None
        return _accepted(response)


def _accepted(response: httpx.Response) -> SmsAccepted:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if status == 201 and isinstance(body, dict) and body.get("sid"):
        return SmsAccepted(message_id=str(body["sid"]), status=str(body.get("status", "")), cost="")
    if status in (200, 201):
        raise SmsFailure(code="malformed", reason=f"Twilio answered {status} with a body we cannot read: "
                                                  f"{_text(response)}", permanent=False)
    code = str(body.get("code", "")) if isinstance(body, dict) and body.get("code") is not None else ""
    reason = str(body.get("message", "")) if isinstance(body, dict) else _text(response)
    transient = status >= 500 or status in (401, 408, 429) or code in TRANSIENT_CODES or not 400 <= status < 500
    raise SmsFailure(code=code or f"http_{status}", reason=reason[:REASON_LIMIT] or f"HTTP {status}",
                     permanent=not transient)


def _text(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:REASON_LIMIT]
