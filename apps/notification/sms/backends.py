"""The one shape of every SMS gateway client: send one message to one number, or say why not.

A backend is a stateless adapter over one gateway's HTTP API (a real httpx client, apps/notification/sms/
africastalking.py and twilio.py). It touches no table and decides nothing about retries: it answers
`SmsAccepted` or raises `SmsFailure`, whose `permanent` tells the caller whether trying again could ever help.

Permanent (never retried; the delivery is failed): the gateway definitely refused this message for a reason
that the same request would meet again: the number is invalid or of a kind it cannot reach, the recipient
blacklisted the sender or unsubscribed, the sender id is not the account's, the region is not enabled, the
request itself is malformed (another 4xx).

Transient (retried later; dead-lettered once retries run out, replayable): the gateway or the network failed
(5xx, a gateway-error status, a timeout, a refused connection, an answer we cannot read), it asked us to slow
down (429), or the account cannot send right now for a reason an operator can mend without touching the message
(wrong or revoked credentials, an insufficient balance, a risk hold, a route that is down).

`code` says which, for logs and the admin: the gateway's own code ("403", "21211"), or ours for what happened
on the wire: "timeout" (the message may have been sent: neither gateway takes an idempotency key, so a retry
may send a second copy), "connection" (nothing was sent), "http_<status>", "malformed".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from django.conf import settings

from transport.credentials import CredentialField as CredentialField  # the fields a backend declares


@dataclass(frozen=True)
class SmsAccepted:
    message_id: str  # the gateway's id of the message: what its delivery reports name
    status: str  # the gateway's word for it ("Success", "Queued", "queued", "accepted")
    cost: str  # as the gateway says it ("KES 0.8000"), or "" when it says nothing yet (Twilio)


class SmsFailure(Exception):
    def __init__(self, *, code: str, reason: str, permanent: bool) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.permanent = permanent


class SmsBackend(ABC):
    name: ClassVar[str]  # "africastalking" | "twilio": Delivery.backend, and the key of delivery reports
    verbose_name: ClassVar[str]
    credential_fields: ClassVar[tuple[CredentialField, ...]]

    def __init__(self, *, base_url: str, credentials: Mapping[str, str], company_id: UUID | None) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = dict(credentials)  # in memory for this backend's calls only: never logged
        self.company_id = company_id  # whose account this is: None for the platform's

    def credential(self, name: str) -> str:
        return self._credentials.get(name, "")

    @staticmethod
    def timeout() -> float:
        return float(settings.SMS_TIMEOUT_SECONDS)

    @abstractmethod
    def send(self, *, to: str, text: str, sender_id: str, report_url: str) -> SmsAccepted:
        """Send `text` to `to` (E.164). `report_url` is where the gateway should post this message's delivery
        reports, for gateways that take one per message. Raises SmsFailure."""
