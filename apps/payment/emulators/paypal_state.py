"""The PayPal emulator's memory (orders, captures, refunds, webhooks, tokens, scripts, failures) and the JSON
PayPal answers for each of them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# the sandbox app the emulator knows (PayPal's developer dashboard would show these)
CLIENTS = {"AZemulatorSandboxClientId": "EMemulatorSandboxClientSecret"}
DEFAULT_PAYER = "sb-buyer@example.com"
TOKEN_SECONDS = 32400

# PayPal's currencies and their decimal places at PayPal (not ISO 4217's: HUF and TWD take none)
PLACES = dict.fromkeys((
    "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "ILS", "MYR", "MXN", "NZD", "NOK", "PHP", "PLN",
    "GBP", "SGD", "SEK", "CHF", "THB", "USD"), 2) | {"JPY": 0, "HUF": 0, "TWD": 0}
VALUE_FORMAT = re.compile(r"^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$")

# outcome names of /_emu/script: a capture's (PayPal's capture statuses and 422 issues), a refund's
CAPTURE_OUTCOMES = frozenset({"COMPLETED", "PENDING", "DECLINED", "INSTRUMENT_DECLINED", "TRANSACTION_REFUSED"})
REFUND_OUTCOMES = frozenset({"REFUND_COMPLETED", "REFUND_PENDING", "REFUND_FAILED", "REFUND_CANCELLED"})


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(length: int = 17) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def payer_id_of(email: str) -> str:
    """PayPal's payer id of a buyer: 13 characters, the same for the same account every time."""
    return base64.b32encode(hashlib.sha256(email.lower().encode()).digest()).decode()[:13]


def amount_problem(amount: object) -> tuple[str, str] | None:
    """(issue, description) when `amount` is not a valid PayPal amount, None when it is."""
    if not isinstance(amount, dict) or "currency_code" not in amount or "value" not in amount:
        return "MISSING_REQUIRED_PARAMETER", "amount.currency_code and amount.value are required."
    currency, value = amount["currency_code"], amount["value"]
    if currency not in PLACES:
        return "CURRENCY_NOT_SUPPORTED", f"Currency code {currency!r} is not currently supported."
    if not isinstance(value, str) or not VALUE_FORMAT.match(value):
        return "INVALID_PARAMETER_SYNTAX", "amount.value does not match the required pattern."
    if "." in value and len(value.split(".")[1]) > PLACES[currency]:
        return "DECIMAL_PRECISION", f"{currency} takes at most {PLACES[currency]} decimal places."
    try:
        if Decimal(value) <= 0:
            return "CANNOT_BE_ZERO_OR_NEGATIVE", "amount.value must be greater than zero."
    except InvalidOperation:
        return "INVALID_PARAMETER_SYNTAX", "amount.value is not a number."
    return None


def text(value: Decimal, currency: str) -> str:
    return f"{value:.{PLACES[currency]}f}"


@dataclass
class Script:
    payer: str
    outcome: str
    delay: float = 0.0
    callback_copies: int = 1
    callback_delay: float = 0.0
    answer_delay: float = 0.0
    times: int = 1


@dataclass
class Failure:
    path: str
    status: int
    times: int = 1


@dataclass
class Stall:
    path: str
    seconds: float
    times: int = 1


@dataclass
class Capture:
    id: str
    status: str
    value: str
    currency: str
    reason: str = ""  # status_details.reason
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)


@dataclass
class Order:
    id: str
    client_id: str
    request_id: str
    request_body: dict[str, Any]
    value: str
    currency: str
    unit: dict[str, Any]  # the purchase unit as sent: reference_id, custom_id, invoice_id, description
    return_url: str
    cancel_url: str
    with_payment_source: bool
    status: str
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    payer_email: str = ""
    initiations: int = 1
    capture: Capture | None = None
    script: Script | None = None
    capture_request_ids: list[str] = field(default_factory=list)
    # PayPal-Request-Id -> the (status, body) answered, replayed on a repeat
    capture_answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Refund:
    id: str
    client_id: str
    order_id: str
    capture_id: str
    request_id: str
    request_body: dict[str, Any]
    value: str
    currency: str
    status: str
    note: str = ""
    reason: str = ""
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)
    requests: int = 1


@dataclass
class Webhook:
    id: str
    client_id: str
    url: str
    event_types: list[str]

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


@dataclass
class SentEvent:
    webhook_id: str
    body: bytes
    headers: dict[str, str]


@dataclass
class State:
    settle_seconds: float
    token_seconds: int = TOKEN_SECONDS
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # signs webhook transmissions
    base_url: str = ""  # learnt from the requests: links and cert URLs point back at the emulator
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> client id
    orders: dict[str, Order] = field(default_factory=dict)
    order_requests: dict[tuple[str, str], str] = field(default_factory=dict)  # (client, PayPal-Request-Id)
    refunds: dict[str, Refund] = field(default_factory=dict)
    refund_requests: dict[tuple[str, str], str] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    sent: dict[str, SentEvent] = field(default_factory=dict)  # by PAYPAL-TRANSMISSION-ID
    scripts: list[Script] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    timers: list[asyncio.TimerHandle] = field(default_factory=list)

    def reset(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.__dict__.update(State(settle_seconds=self.settle_seconds, token_seconds=self.token_seconds).__dict__)

    def later(self, delay: float, action: Any) -> None:
        self.timers.append(asyncio.get_running_loop().call_later(delay, action))

    def take_script(self, payer: str, outcomes: frozenset[str]) -> Script | None:
        """The first live script for this payer (or "*") with one of these outcomes, one use of it taken."""
        for script in self.scripts:
            if script.times > 0 and script.payer in (payer, "*") and script.outcome in outcomes:
                script.times -= 1
                return script
        return None

    def take_failure(self, path: str) -> Failure | None:
        for failure in self.failures:
            if failure.times > 0 and path.startswith(failure.path):
                failure.times -= 1
                return failure
        return None

    def take_stall(self, path: str) -> float:
        for stall in self.stalls:
            if stall.times > 0 and path.startswith(stall.path):
                stall.times -= 1
                return stall.seconds
        return 0.0

    def capture_of(self, capture_id: str) -> tuple[Order, Capture] | None:
        for order in self.orders.values():
            if order.capture is not None and order.capture.id == capture_id:
                return order, order.capture
        return None


def link(href: str, rel: str, method: str = "GET") -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}


def capture_json(order: Order, capture: Capture, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": capture.id,
        "status": capture.status,
        "amount": {"currency_code": capture.currency, "value": capture.value},
        "final_capture": True,
        "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED",
                                                                            "UNAUTHORIZED_TRANSACTION"]},
        "supplementary_data": {"related_ids": {"order_id": order.id}},
        "create_time": capture.created,
        "update_time": capture.updated,
        "links": [link(f"{base}/v2/payments/captures/{capture.id}", "self"),
                  link(f"{base}/v2/payments/captures/{capture.id}/refund", "refund", "POST"),
                  link(f"{base}/v2/checkout/orders/{order.id}", "up")],
    }
    body |= {key: order.unit[key] for key in ("custom_id", "invoice_id") if key in order.unit}
    if capture.reason:
        body["status_details"] = {"reason": capture.reason}
    return body


def order_json(order: Order, base: str) -> dict[str, Any]:
    unit: dict[str, Any] = {**order.unit, "amount": {"currency_code": order.currency, "value": order.value},
                            "payee": {"email_address": "merchant@example.com", "merchant_id": "EMULATORMERCH"}}
    if order.capture is not None:
        unit["payments"] = {"captures": [capture_json(order, order.capture, base)]}
    body: dict[str, Any] = {"id": order.id, "intent": "CAPTURE", "status": order.status,
                            "purchase_units": [unit], "create_time": order.created, "update_time": order.updated}
    if order.payer_email:
        payer = {"name": {"given_name": "John", "surname": "Doe"}, "email_address": order.payer_email,
                 "payer_id": payer_id_of(order.payer_email), "address": {"country_code": "US"}}
        body["payer"] = payer
        body["payment_source"] = {"paypal": {"email_address": order.payer_email,
                                             "account_id": payer["payer_id"], "account_status": "VERIFIED",
                                             "name": payer["name"]}}
    self_url = f"{base}/v2/checkout/orders/{order.id}"
    links = [link(self_url, "self")]
    if order.status in ("CREATED", "PAYER_ACTION_REQUIRED"):
        links.append(link(f"{base}/_emu/checkout?token={order.id}",
                          "payer-action" if order.with_payment_source else "approve"))
    if order.status != "COMPLETED":
        links += [link(self_url, "update", "PATCH"), link(f"{self_url}/capture", "capture", "POST")]
    body["links"] = links
    return body


def refund_json(refund: Refund, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": refund.id,
        "status": refund.status,
        "amount": {"currency_code": refund.currency, "value": refund.value},
        "seller_payable_breakdown": {"gross_amount": {"currency_code": refund.currency, "value": refund.value},
                                     "net_amount": {"currency_code": refund.currency, "value": refund.value}},
        "create_time": refund.created,
        "update_time": refund.updated,
        "links": [link(f"{base}/v2/payments/refunds/{refund.id}", "self"),
                  link(f"{base}/v2/payments/captures/{refund.capture_id}", "up")],
    }
    if refund.note:
        body["note_to_payer"] = refund.note
    if refund.reason:
        body["status_details"] = {"reason": refund.reason}
    return body
