"""What the M-Pesa emulator holds in memory: its sandbox account, tokens, scripts, failures and transactions,
and the bodies Daraja sends about them (STK callbacks, `{"Result": ...}` results, C2B notifications)."""

from __future__ import annotations

import asyncio
import secrets
import string
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.payment.providers.mpesa_wire import NAIROBI, RESULT_DESCRIPTIONS, TIMESTAMP_FORMAT

# the sandbox account the emulator is seeded with (Safaricom's public sandbox shortcode and passkey)
SANDBOX_CONSUMER_KEY = "emulator-consumer-key"
SANDBOX_CONSUMER_SECRET = "emulator-consumer-secret"  # noqa: S105 - the emulator's public sandbox secret
SANDBOX_SHORTCODE = "174379"
SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"  # noqa: S105 - public
SANDBOX_INITIATOR = "testapi"
SANDBOX_SECURITY_CREDENTIAL = (  # stands for the RSA-encrypted initiator password Safaricom's portal gives
    "ZW11bGF0b3Itc2VjdXJpdHktY3JlZGVudGlhbDpzYW5kYm94LWluaXRpYXRvci1wYXNzd29yZA=="
)
TEST_PHONE = "254708374149"
TOKEN_SECONDS = 3599

# STK outcome names (scripts) and their ResultCodes; reversal failures are scripted by their own codes
STK_OUTCOMES: dict[str, int] = {
    "success": 0, "insufficient_funds": 1, "cancelled": 1032, "timeout": 1037, "wrong_pin": 2001,
    "locked": 1001, "expired": 1019,
}
REVERSAL_FAILURES: dict[str, str] = {
    "R000001": "The transaction has already been reversed.",
    "R000002": "The OriginalTransactionID is invalid.",
}
INVALID_INITIATOR = (2001, "The initiator information is invalid.")
PROCESSED = "The service request is processed successfully."


def now_stamp() -> str:
    return datetime.now(NAIROBI).strftime(TIMESTAMP_FORMAT)


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class Script:
    payer: str
    outcome: str
    delay: float | None = None
    callback_copies: int = 1
    callback_delay: float = 0.0
    answer_delay: float = 0.0
    times: int = 1

    @property
    def for_reversal(self) -> bool:
        return self.outcome in REVERSAL_FAILURES


@dataclass
class Push:
    checkout_id: str
    merchant_id: str
    shortcode: str
    amount: int  # whole shillings
    phone: str
    reference: str
    callback_url: str
    result_code: int
    settle_at: float  # time.monotonic(); pending until then
    receipt: str = ""
    transacted_at: str = ""
    reversed: bool = False

    @property
    def settled(self) -> bool:
        return time.monotonic() >= self.settle_at

    @property
    def succeeded(self) -> bool:
        return self.settled and self.result_code == 0

    def as_json(self) -> dict[str, Any]:
        status = "pending" if not self.settled else "succeeded" if self.result_code == 0 else "failed"
        return {"kind": "stk_push", "id": self.checkout_id, "status": status,
                "result_code": self.result_code if self.settled else None, "amount": self.amount, "currency": "KES",
                "payer": self.phone, "reference": self.reference, "receipt": self.receipt if self.settled else "",
                "reversed": self.reversed, "initiation_requests": 1}


@dataclass
class Paybill:
    trans_id: str
    shortcode: str
    amount: int
    msisdn: str
    reference: str
    status: str  # "completed", "rejected" (validation said no), "cancelled" (validation did not answer)
    transacted_at: str
    first_name: str = "John"
    last_name: str = "Doe"
    reversed: bool = False

    def notification(self) -> dict[str, str]:
        """The validation and confirmation body."""
        return {"TransactionType": "Pay Bill", "TransID": self.trans_id, "TransTime": self.transacted_at,
                "TransAmount": f"{self.amount}.00", "BusinessShortCode": self.shortcode,
                "BillRefNumber": self.reference, "InvoiceNumber": "", "OrgAccountBalance": "",
                "ThirdPartyTransID": "", "MSISDN": self.msisdn, "FirstName": self.first_name, "MiddleName": "",
                "LastName": self.last_name}

    def as_json(self) -> dict[str, Any]:
        return {"kind": "c2b", "id": self.trans_id, "status": self.status, "amount": self.amount,
                "currency": "KES", "payer": self.msisdn, "reference": self.reference, "receipt": self.trans_id,
                "reversed": self.reversed, "initiation_requests": 1}


@dataclass
class Request:
    """A reversal or a transaction status query: accepted at once, answered at its ResultURL later."""

    kind: str  # "reversal" or "transaction_status"
    originator_id: str
    conversation_id: str
    transaction_id: str  # the receipt it is about
    amount: int | None
    payer: str
    result_url: str
    settle_at: float
    result: dict[str, Any] = field(default_factory=dict)  # the whole {"Result": ...} body

    def as_json(self) -> dict[str, Any]:
        code = self.result["Result"]["ResultCode"]
        settled = time.monotonic() >= self.settle_at
        status = "pending" if not settled else "succeeded" if str(code) == "0" else "failed"
        return {"kind": self.kind, "id": self.originator_id, "status": status,
                "result_code": code if settled else None, "amount": self.amount, "currency": "KES",
                "payer": self.payer, "transaction_id": self.transaction_id, "initiation_requests": 1}


@dataclass
class Registration:
    response_type: str
    confirmation_url: str
    validation_url: str


class State:
    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self.passkeys = {SANDBOX_SHORTCODE: SANDBOX_PASSKEY}
        self.generation = 0  # bumped by reset: a settle task of an older generation does nothing
        self.tasks: set[asyncio.Task[None]] = set()
        self.reset()

    def reset(self) -> None:
        self.generation += 1
        self.tokens: dict[str, float] = {}  # token -> monotonic expiry
        self.scripts: list[Script] = []
        self.failures: list[dict[str, Any]] = []
        self.pushes: dict[str, Push] = {}
        self.paybills: dict[str, Paybill] = {}
        self.requests: dict[str, Request] = {}
        self.registrations: dict[str, Registration] = {}
        self.request_counts: dict[str, int] = {}
        self.receipts: set[str] = set()

    # --- tokens ---

    def issue_token(self) -> str:
        token = _random(string.ascii_letters + string.digits, 28)
        self.tokens[token] = time.monotonic() + TOKEN_SECONDS
        return token

    def token_valid(self, token: str) -> bool:
        return self.tokens.get(token, 0.0) > time.monotonic()

    # --- scripts and failures ---

    def take_script(self, payer: str, *, reversal: bool) -> Script | None:
        for wanted in (payer, "*"):
            for script in self.scripts:
                if script.payer == wanted and script.for_reversal == reversal:
                    script.times -= 1
                    if script.times <= 0:
                        self.scripts.remove(script)
                    return script
        return None

    def take_failure(self, path: str) -> int | None:
        for failure in self.failures:
            if path.startswith(failure["path"]):
                failure["times"] -= 1
                if failure["times"] <= 0:
                    self.failures.remove(failure)
                return int(failure["status"])
        return None

    # --- identifiers ---

    def receipt(self) -> str:
        """A new M-Pesa receipt ("NLJ7RT61SV"): ten upper-case alphanumerics, never issued twice."""
        while True:
            receipt = _random(string.ascii_uppercase, 1) + _random(string.ascii_uppercase + string.digits, 9)
            if receipt not in self.receipts:
                self.receipts.add(receipt)
                return receipt

    def conversation_ids(self) -> tuple[str, str]:
        originator = f"{_random(string.digits, 5)}-{_random(string.digits, 8)}-1"
        conversation = f"AG_{datetime.now(NAIROBI):%Y%m%d}_{secrets.token_hex(10)}"
        return originator, conversation

    def paid(self, receipt: str) -> Push | Paybill | None:
        """The completed payment with this receipt (a settled successful push, or a completed paybill)."""
        for push in self.pushes.values():
            if push.succeeded and push.receipt == receipt:
                return push
        paybill = self.paybills.get(receipt)
        return paybill if paybill and paybill.status == "completed" else None

    def transactions(self) -> list[dict[str, Any]]:
        held: list[Any] = [*self.pushes.values(), *self.paybills.values(), *self.requests.values()]
        return [item.as_json() for item in held]


def stk_callback(push: Push) -> dict[str, Any]:
    callback: dict[str, Any] = {
        "MerchantRequestID": push.merchant_id, "CheckoutRequestID": push.checkout_id,
        "ResultCode": push.result_code, "ResultDesc": RESULT_DESCRIPTIONS.get(push.result_code, "Failed"),
    }
    if push.result_code == 0:
        callback["CallbackMetadata"] = {"Item": [
            {"Name": "Amount", "Value": float(push.amount)},
            {"Name": "MpesaReceiptNumber", "Value": push.receipt},
            {"Name": "Balance"},
            {"Name": "TransactionDate", "Value": int(push.transacted_at)},
            {"Name": "PhoneNumber", "Value": int(push.phone)},
        ]}
    return {"Body": {"stkCallback": callback}}


def result_body(request: Request, *, code: int | str, desc: str, parameters: dict[str, Any] | None = None,
                transaction_id: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {
        "ResultType": 0, "ResultCode": code, "ResultDesc": desc,
        "OriginatorConversationID": request.originator_id, "ConversationID": request.conversation_id,
        "TransactionID": transaction_id,
    }
    if parameters:
        result["ResultParameters"] = {"ResultParameter": [{"Key": k, "Value": v} for k, v in parameters.items()]}
    result["ReferenceData"] = {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": request.result_url}}
    return {"Result": result}


def payer_of(paid: Push | Paybill) -> tuple[str, str]:
    """(msisdn, "msisdn - name") of a payment's payer."""
    if isinstance(paid, Push):
        return paid.phone, f"{paid.phone} - John Doe"
    return paid.msisdn, f"{paid.msisdn} - {paid.first_name} {paid.last_name}"
