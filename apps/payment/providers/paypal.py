"""PayPal Checkout (Orders v2, Payments v2, webhooks): the payer approves an order on PayPal, we capture it.

Flow: initiate() creates an order (PayPal-Request-Id = our attempt id) and sends the payer to its payer-action
link; the payer comes back to our return_url; status() reads the order and captures it once APPROVED
(PayPal-Request-Id = "<attempt id>-capture"), so a repeated status() never captures twice. Money moves only
when the capture is COMPLETED: a capture can be PENDING or DECLINED inside a COMPLETED order.

From PayPal's own documentation: the paths, headers, bodies, order/capture/refund statuses and the 422 issue
names used here. Not confirmed from PayPal's material, and so handled conservatively: which 4xx a status query
can answer (any unexpected one is OutcomeUnknown, never a failure), the resource of PAYMENT.CAPTURE.REVERSED
(claimed without an outcome: the core asks status()), and how long PayPal keeps PayPal-Request-Id (~6 h).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from uuid import UUID

from apps.payment.providers.base import (
    Account,
    CallbackClaim,
    ChargeRequest,
    ClaimKind,
    CredentialField,
    Initiated,
    MalformedCallback,
    NextAction,
    Outcome,
    PaymentProvider,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
)
from apps.payment.providers.paypal_wire import CURRENCIES, Answer, Wire, amount_of, whole_units_reason, wire_value

ORDERS = "/v2/checkout/orders"
VERIFY_PATH = "/v1/notifications/verify-webhook-signature"
WEBHOOKS_PATH = "/v1/notifications/webhooks"
# the webhook headers verify-webhook-signature needs, and the field each one fills
SIGNATURE_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}

CAPTURE_OUTCOMES = {
    "COMPLETED": Outcome.SUCCEEDED,
    # paid, then (partly) given back: the refunds are the core's business, the payment itself succeeded
    "PARTIALLY_REFUNDED": Outcome.SUCCEEDED,
    "REFUNDED": Outcome.SUCCEEDED,
    "PENDING": Outcome.PENDING,
    "DECLINED": Outcome.FAILED,
    "FAILED": Outcome.FAILED,
}
REFUND_OUTCOMES = {
    "COMPLETED": Outcome.SUCCEEDED,
    "PENDING": Outcome.PENDING,
    "FAILED": Outcome.FAILED,
    "CANCELLED": Outcome.FAILED,
}
EVENT_OUTCOMES = {
    "PAYMENT.CAPTURE.COMPLETED": Outcome.SUCCEEDED,
    "PAYMENT.CAPTURE.PENDING": Outcome.PENDING,
    "PAYMENT.CAPTURE.DENIED": Outcome.FAILED,
    "PAYMENT.CAPTURE.DECLINED": Outcome.FAILED,
}
# capture refusals after which the payer has to act again on PayPal: the payment is still open
CAPTURE_NOT_YET = frozenset({"ORDER_NOT_APPROVED", "PAYER_ACTION_REQUIRED"})


class PayPal(PaymentProvider):
    identifier = "paypal"
    verbose_name = "PayPal"
    credential_fields = (
        CredentialField("client_id", "Client ID", secret=False),
        CredentialField("client_secret", "Client secret"),
        CredentialField("webhook_id", "Webhook ID", secret=False),
    )
    first_poll_after = timedelta(minutes=2)
    window = timedelta(hours=3)
    next_action_kind = "redirect"
    initiate_is_idempotent = True  # PayPal-Request-Id: the same order again, so a lost answer is asked for again

    def __init__(self) -> None:
        self.wire = Wire()

    def charge_currencies(self, account: Account) -> frozenset[str]:
        return CURRENCIES

    def unchargeable_reason(self, *, amount_minor: int, currency: str) -> str:
        if currency not in CURRENCIES:
            return f"PayPal does not take {currency}."
        return super().unchargeable_reason(amount_minor=amount_minor, currency=currency) or whole_units_reason(
            amount_minor, currency)

    def initiate(self, account: Account, charge: ChargeRequest) -> Initiated:
        body = {
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": str(charge.payment_id),
                "custom_id": str(charge.payment_id),
                "invoice_id": charge.reference,
                "amount": {"currency_code": charge.currency,
                           "value": wire_value(charge.amount_minor, charge.currency)},
            }],
            "payment_source": {"paypal": {"experience_context": {
                "return_url": charge.return_url,
                "cancel_url": charge.cancel_url,
                "user_action": "PAY_NOW",
                "shipping_preference": "NO_SHIPPING",
            }}},
        }
        # 200 is PayPal replaying the order this PayPal-Request-Id created before (a retry after a lost answer)
        answer = self.wire.call(account, "POST", ORDERS, json=body, request_id=str(charge.attempt_id))
        if not answer.ok:
            raise answer.declined("the order")
        order_id = answer.body.get("id")
        url = _link(answer.body, "payer-action") or _link(answer.body, "approve")
        if not isinstance(order_id, str) or not order_id or not url:
            raise answer.unknown("the order (no id or approval link)")
        return Initiated(provider_ref=order_id, raw=answer.body,
                         next_action=NextAction("redirect", "Approve the payment on PayPal.", url=url))

    def status(self, account: Account, *, provider_ref: str, attempt_id: UUID) -> PaymentStatus:
        order = self._order(account, provider_ref)
        state = order.get("status")
        if state == "APPROVED":
            return self._capture(account, provider_ref, attempt_id)
        if state == "COMPLETED":
            return _capture_status(provider_ref, order)
        if state == "VOIDED":
            return PaymentStatus(Outcome.FAILED, provider_ref, reason_code="VOIDED",
                                 reason="PayPal voided the order.", raw=order)
        # CREATED, SAVED, PAYER_ACTION_REQUIRED: the payer has not approved yet
        return PaymentStatus(Outcome.PENDING, provider_ref, reason_code=str(state or ""), raw=order)

    def callback_claim(self, body: bytes) -> CallbackClaim:
        event = _event(body)
        event_type, event_id = event["event_type"], event["id"]
        resource = event.get("resource")
        if not isinstance(resource, Mapping):
            resource = {}
        if event_type == "PAYMENT.CAPTURE.REFUNDED":
            refund_id = _required(resource, "id")
            minor, currency = amount_of(resource.get("amount")) or (None, None)
            return CallbackClaim(ClaimKind.REFUND, refund_id, outcome=REFUND_OUTCOMES.get(resource.get("status", "")),
                                 transaction_id=refund_id, amount_minor=minor, currency=currency,
                                 event_id=event_id, event_type=event_type)
        if event_type in EVENT_OUTCOMES:
            related = _path(resource, "supplementary_data", "related_ids")
            minor, currency = amount_of(resource.get("amount")) or (None, None)
            return CallbackClaim(ClaimKind.PAYMENT, _required(related, "order_id"),
                                 outcome=EVENT_OUTCOMES[event_type], transaction_id=_required(resource, "id"),
                                 amount_minor=minor, currency=currency,
                                 event_id=event_id, event_type=event_type)
        if event_type == "CHECKOUT.ORDER.APPROVED":
            # approved is not paid: the capture (status()) decides
            minor, currency = amount_of(_path(_first_unit(resource), "amount")) or (None, None)
            payer = _path(resource, "payer").get("payer_id", "")
            return CallbackClaim(ClaimKind.PAYMENT, _required(resource, "id"), outcome=Outcome.PENDING,
                                 amount_minor=minor, currency=currency,
                                 payer=payer if isinstance(payer, str) else "", event_id=event_id,
                                 event_type=event_type)
        # an event we do not act on (PAYMENT.CAPTURE.REVERSED, CHECKOUT.ORDER.COMPLETED...): named, with the
        # order it concerns where it says so, for the core to record or look up
        order_id = _path(resource, "supplementary_data", "related_ids").get("order_id")
        if order_id is None and event.get("resource_type") == "checkout-order":
            order_id = resource.get("id")
        return CallbackClaim(ClaimKind.PAYMENT, order_id if isinstance(order_id, str) else "", outcome=None,
                             event_id=event_id, event_type=event_type)

    def refund(self, account: Account, request: RefundRequest) -> RefundStatus:
        # the amount always goes explicitly: an empty body would refund whatever is left, not what we mean
        body = {"amount": {"value": wire_value(request.amount_minor, request.currency),
                           "currency_code": request.currency},
                "note_to_payer": request.remarks}
        answer = self.wire.call(account, "POST", f"/v2/payments/captures/{request.transaction_id}/refund",
                                json=body, request_id=str(request.refund_id))
        if not answer.ok:
            raise answer.declined("the refund")
        return _refund_status(answer)

    def refund_status(self, account: Account, *, provider_ref: str, refund_id: UUID) -> RefundStatus:
        answer = self.wire.call(account, "GET", f"/v2/payments/refunds/{provider_ref}")
        if not answer.ok:
            raise answer.unknown("the refund query")
        return _refund_status(answer)

    def webhook_verified(self, account: Account, *, headers: Mapping[str, str], body: bytes) -> bool:
        """Asks PayPal whether it sent this event. The event goes to PayPal byte for byte as received: its
        signature covers the body's CRC32, which a re-serialised event would not match. Raises Unreachable or
        OutcomeUnknown when PayPal cannot be asked (the webhook is then answered with an error and retried)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        fields = {name: lowered.get(header, "") for name, header in SIGNATURE_HEADERS.items()}
        webhook_id = account.credentials.get("webhook_id", "")
        if not all(fields.values()) or not webhook_id:
            return False
        try:
            if not isinstance(json.loads(body), dict):
                return False
        except ValueError:
            return False
        head = json.dumps({**fields, "webhook_id": webhook_id}).encode()
        content = head[:-1] + b', "webhook_event": ' + body + b"}"
        answer = self.wire.call(account, "POST", VERIFY_PATH, content=content)
        return answer.ok and answer.body.get("verification_status") == "SUCCESS"

    def webhook_register(self, account: Account, *, url: str, event_types: list[str]) -> str:
        """Registers `url` for these event types ("*" for all) with PayPal; returns the webhook id, which is the
        account's webhook_id credential. Raises Declined (WEBHOOK_URL_ALREADY_EXISTS...), OutcomeUnknown."""
        body = {"url": url, "event_types": [{"name": name} for name in event_types]}
        answer = self.wire.call(account, "POST", WEBHOOKS_PATH, json=body)
        if not answer.ok:
            raise answer.declined("the webhook")
        webhook_id = answer.body.get("id")
        if not isinstance(webhook_id, str) or not webhook_id:
            raise answer.unknown("the webhook (no id)")
        return webhook_id

    def _order(self, account: Account, order_id: str) -> Mapping[str, Any]:
        answer = self.wire.call(account, "GET", f"{ORDERS}/{order_id}")
        if not answer.ok:
            raise answer.unknown("the order query")
        return answer.body

    def _capture(self, account: Account, order_id: str, attempt_id: UUID) -> PaymentStatus:
        answer = self.wire.call(account, "POST", f"{ORDERS}/{order_id}/capture", json={},
                                request_id=f"{attempt_id}-capture")
        if answer.ok:
            return _capture_status(order_id, answer.body)
        issue = answer.issue
        if issue == "ORDER_ALREADY_CAPTURED":
            # captured by an earlier request of ours whose answer was lost: the order holds the capture
            return _capture_status(order_id, self._order(account, order_id))
        if issue in CAPTURE_NOT_YET:
            return PaymentStatus(Outcome.PENDING, order_id, reason_code=issue, raw=answer.body)
        if answer.status == 422:
            # INSTRUMENT_DECLINED, TRANSACTION_REFUSED...: PayPal refused to take the money
            return PaymentStatus(Outcome.FAILED, order_id, reason_code=issue, reason=_message(answer),
                                 raw=answer.body)
        raise answer.unknown("the capture")


def _capture_status(order_id: str, order: Mapping[str, Any]) -> PaymentStatus:
    captures = _path(_first_unit(order), "payments").get("captures")
    if not isinstance(captures, list) or not captures or not isinstance(captures[0], Mapping):
        return PaymentStatus(Outcome.PENDING, order_id, reason_code="NO_CAPTURE", raw=order)
    capture = captures[0]
    state = str(capture.get("status", ""))
    outcome = CAPTURE_OUTCOMES.get(state, Outcome.PENDING)
    minor, currency = amount_of(capture.get("amount")) or (None, None)
    reason = _path(capture, "status_details").get("reason")
    if outcome is not Outcome.SUCCEEDED:
        return PaymentStatus(outcome, order_id, reason_code=reason if isinstance(reason, str) and reason else state,
                             raw=order)
    payer = _path(order, "payer").get("payer_id", "")
    return PaymentStatus(outcome, order_id, transaction_id=str(capture.get("id", "")),
                         amount_minor=minor, currency=currency, payer=payer if isinstance(payer, str) else "",
                         raw=order)


def _refund_status(answer: Answer) -> RefundStatus:
    refund_id = answer.body.get("id")
    state = answer.body.get("status")
    if not isinstance(refund_id, str) or not refund_id or state not in REFUND_OUTCOMES:
        raise answer.unknown("the refund (no id or status)")
    outcome = REFUND_OUTCOMES[state]
    reason = _path(answer.body, "status_details").get("reason")
    return RefundStatus(outcome, refund_id, transaction_id=refund_id if outcome is Outcome.SUCCEEDED else "",
                        reason_code=reason if isinstance(reason, str) and reason else "", raw=answer.body)


def _event(body: bytes) -> Mapping[str, Any]:
    try:
        event = json.loads(body)
    except ValueError:
        raise MalformedCallback("A PayPal webhook is JSON.") from None
    if not isinstance(event, dict):
        raise MalformedCallback("A PayPal webhook is a JSON object.")
    for key in ("id", "event_type"):
        if not isinstance(event.get(key), str) or not event[key]:
            raise MalformedCallback(f"A PayPal webhook has an {key}.")
    return event


def _required(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedCallback(f"The PayPal webhook's resource has no {key}.")
    return value


def _path(mapping: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The object at mapping[k1][k2]..., or {} where any step is missing or not an object."""
    for key in keys:
        value = mapping.get(key)
        mapping = value if isinstance(value, Mapping) else {}
    return mapping


def _first_unit(order: Mapping[str, Any]) -> Mapping[str, Any]:
    units = order.get("purchase_units")
    return units[0] if isinstance(units, list) and units and isinstance(units[0], Mapping) else {}


def _link(body: Mapping[str, Any], rel: str) -> str:
    links = body.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, Mapping) and link.get("rel") == rel and isinstance(link.get("href"), str):
            return str(link["href"])
    return ""


def _message(answer: Answer) -> str:
    details = answer.body.get("details")
    if isinstance(details, list) and details and isinstance(details[0], Mapping):
        description = details[0].get("description")
        if isinstance(description, str):
            return description
    message = answer.body.get("message")
    return message if isinstance(message, str) else ""
