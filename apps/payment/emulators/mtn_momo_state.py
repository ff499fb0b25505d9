"""What the MoMo emulator holds in memory: requests to pay, refunds, scripts, injected failures, tokens."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

# The one sandbox account the emulator knows (a real sandbox user is made with the provisioning API).
SANDBOX_API_USER = "0c2b7f51-9d5e-4c53-9a43-6a1f7e2d8b10"
SANDBOX_API_KEY = "emulator-momo-api-key-5f0d1c"
SANDBOX_COLLECTION_KEY = "emulator-momo-collection-key-9a2e"
SANDBOX_DISBURSEMENT_KEY = "emulator-momo-disbursement-key-3c7b"
SANDBOX_ENVIRONMENT = "sandbox"
SANDBOX_CURRENCY = "EUR"
TOKEN_SECONDS = 3600

SUCCESSFUL = "SUCCESSFUL"
PENDING = "PENDING"
FAILURE_REASONS = frozenset({"APPROVAL_REJECTED", "EXPIRED", "INTERNAL_PROCESSING_ERROR", "PAYER_NOT_FOUND",
                             "NOT_ENOUGH_FUNDS", "SERVICE_UNAVAILABLE"})
OUTCOME_NAMES = frozenset({SUCCESSFUL, PENDING, *FAILURE_REASONS})
# the sandbox's test numbers; any other number is SUCCESSFUL
SANDBOX_NUMBERS = {
    "46733123450": "INTERNAL_PROCESSING_ERROR",
    "46733123451": "APPROVAL_REJECTED",
    "46733123452": "EXPIRED",
    "46733123453": PENDING,
    "46733123455": "PAYER_NOT_FOUND",
    "46733123461": "INTERNAL_PROCESSING_ERROR",
    "46733123462": "SERVICE_UNAVAILABLE",
}
DELAYED_NUMBER = "46733123454"
DELAYED_FACTOR = 10  # the delayed number settles after this many settle periods
REASON_MESSAGES = {
    "APPROVAL_REJECTED": "The payer rejected the request.",
    "EXPIRED": "The request expired before the payer approved it.",
    "INTERNAL_PROCESSING_ERROR": "An internal error occurred while processing.",
    "PAYER_NOT_FOUND": "The payer was not found.",
    "NOT_ENOUGH_FUNDS": "The account does not have enough funds.",
    "SERVICE_UNAVAILABLE": "Service unavailable.",
}


@dataclass
class Script:
    """What the next `times` transfers of a payer do instead of the default."""

    outcome: str
    delay: float | None = None  # None: settle_seconds
    callback_copies: int = 1
    callback_delay: float = 0.0
    answer_delay: float = 0.0
    times: int = 1
    callback_method: str = "PUT"
    visible_after: float = 0.0  # the status GET answers 404 this long after submission
    reason_form: str = "string"  # "string" or "object": the two forms of `reason` seen on FAILED


@dataclass
class Transfer:
    """A request to pay (kind "payment", party = payer) or a refund (kind "refund", party = payee)."""

    kind: str
    reference_id: str
    external_id: str
    amount: str
    amount_minor: int
    currency: str
    party: str
    payer_message: str
    payee_note: str
    callback_url: str
    script: Script
    refund_of: str = ""
    status: str = PENDING
    reason: str = ""
    financial_transaction_id: str = ""
    requests: int = 1
    created_at: float = field(default_factory=time.monotonic)

    def visible(self) -> bool:
        return time.monotonic() >= self.created_at + self.script.visible_after

    def settle(self, outcome: str) -> None:
        if outcome == SUCCESSFUL:
            self.status = SUCCESSFUL
            self.financial_transaction_id = str(secrets.randbelow(9 * 10**8) + 10**8)
        else:
            self.status, self.reason = "FAILED", outcome

    def body(self) -> dict[str, Any]:
        """The status GET's answer, which is also the callback's body."""
        party = "payer" if self.kind == "payment" else "payee"
        body: dict[str, Any] = {
            "externalId": self.external_id, "amount": self.amount, "currency": self.currency,
            party: {"partyIdType": "MSISDN", "partyId": self.party},
            "payerMessage": self.payer_message, "payeeNote": self.payee_note, "status": self.status,
        }
        if self.financial_transaction_id:
            body = {"financialTransactionId": self.financial_transaction_id, **body}
        if self.reason and self.script.reason_form == "object":
            body["reason"] = {"code": self.reason, "message": REASON_MESSAGES.get(self.reason, self.reason)}
        elif self.reason:
            body["reason"] = self.reason
        return body

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reference_id": self.reference_id, "external_id": self.external_id,
                "status": self.status, "reason": self.reason, "amount": self.amount,
                "amount_minor": self.amount_minor, "currency": self.currency, "payer": self.party,
                "financial_transaction_id": self.financial_transaction_id, "callback_url": self.callback_url,
                "refund_of": self.refund_of, "requests": self.requests}


@dataclass
class Failure:
    path: str
    status: int
    times: int


class MomoState:
    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self.payments: dict[str, Transfer] = {}
        self.refunds: dict[str, Transfer] = {}
        self.scripts: list[tuple[str, Script]] = []
        self.failures: list[Failure] = []
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> product, expiry (monotonic)
        self.tokens_issued: dict[str, int] = {"collection": 0, "disbursement": 0}
        self.tasks: set[asyncio.Task[None]] = set()

    def reset(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.tasks.clear()
        self.payments.clear()
        self.refunds.clear()
        self.scripts.clear()
        self.failures.clear()
        self.tokens.clear()
        self.tokens_issued = {"collection": 0, "disbursement": 0}

    def issue_token(self, product: str) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (product, time.monotonic() + TOKEN_SECONDS)
        self.tokens_issued[product] += 1
        return token

    def token_valid(self, token: str, product: str) -> bool:
        held = self.tokens.get(token)
        return held is not None and held[0] == product and held[1] > time.monotonic()

    def take_script(self, party: str) -> Script | None:
        for index, (payer, script) in enumerate(self.scripts):
            if payer in (party, "*"):
                script.times -= 1
                if script.times <= 0:
                    del self.scripts[index]
                return script
        return None

    def take_failure(self, path: str) -> Failure | None:
        for index, failure in enumerate(self.failures):
            if path.startswith(failure.path):
                failure.times -= 1
                if failure.times <= 0:
                    del self.failures[index]
                return failure
        return None

    def refundable_minor(self, payment: Transfer) -> int:
        refunded = sum(refund.amount_minor for refund in self.refunds.values()
                       if refund.refund_of == payment.reference_id and refund.status != "FAILED")
        return payment.amount_minor - refunded

    def start(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
