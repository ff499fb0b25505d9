"""The PayPal emulator's webhooks: registration, signed delivery of events to every registered URL, signature
verification, and simulated sample events.

The transmission signature is an HMAC (PayPal's is RSA) over what PayPal signs:
`<transmission id>|<transmission time>|<webhook id>|<CRC32 of the body>`. verify-webhook-signature answers
SUCCESS only for an event the emulator sent, unmodified, with the headers it sent, for the webhook it sent to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
import zlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from apps.payment.emulators.paypal_http import client_of, problem, read_json, state_of
from apps.payment.emulators.paypal_state import (
    Capture,
    Order,
    Refund,
    SentEvent,
    State,
    Webhook,
    capture_json,
    link,
    new_id,
    now,
    order_json,
    refund_json,
)
from transport.emulators.callbacks import CallbackSender

AUTH_ALGO = "SHA256withRSA"
CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
MAX_WEBHOOKS = 10
EVENTS = {  # the events the emulator knows: resource type, summary
    "CHECKOUT.ORDER.APPROVED": ("checkout-order", "An order has been approved by buyer"),
    "CHECKOUT.ORDER.COMPLETED": ("checkout-order", "Checkout Order Completed"),
    "PAYMENT.CAPTURE.COMPLETED": ("capture", "Payment completed"),
    "PAYMENT.CAPTURE.PENDING": ("capture", "Payment pending"),
    "PAYMENT.CAPTURE.DENIED": ("capture", "Payment denied"),
    "PAYMENT.CAPTURE.DECLINED": ("capture", "Payment declined"),
    "PAYMENT.CAPTURE.REFUNDED": ("refund", "A capture payment was refunded"),
    "PAYMENT.CAPTURE.REVERSED": ("refund", "A payment was reversed"),
}
SIGNED_HEADERS = {  # verify-webhook-signature's fields, and the header each repeats
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}


def signature(secret: bytes, transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> str:
    message = f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body)}".encode()
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def publish(state: State, sender: CallbackSender, *, client_id: str, event_type: str, resource: dict[str, Any],
            delay: float = 0.0, copies: int = 1, to: list[Webhook] | None = None) -> list[dict[str, Any]]:
    """Sends the event to each webhook of the app that wants it (or to `to`); `copies` resends one event id."""
    webhooks = to if to is not None else [
        webhook for webhook in state.webhooks.values() if webhook.client_id == client_id and webhook.wants(event_type)]
    events = []
    for webhook in webhooks:
        event_id = f"WH-{new_id(17)}-{new_id(17)}"
        resource_type, summary = EVENTS[event_type]
        event = {"id": event_id, "event_version": "1.0", "create_time": now(), "resource_type": resource_type,
                 "resource_version": "2.0", "event_type": event_type, "summary": summary, "resource": resource,
                 "links": [link(f"{state.base_url}/v1/notifications/webhooks-events/{event_id}", "self"),
                           link(f"{state.base_url}/v1/notifications/webhooks-events/{event_id}/resend", "resend",
                                "POST")]}
        body = json.dumps(event).encode()
        transmission_id, transmission_time = str(uuid.uuid4()), now()
        headers = {
            "PAYPAL-AUTH-ALGO": AUTH_ALGO,
            "PAYPAL-AUTH-VERSION": "v2",
            "PAYPAL-CERT-URL": state.base_url + CERT_PATH,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": signature(state.secret, transmission_id, transmission_time, webhook.id, body),
            "PAYPAL-TRANSMISSION-TIME": transmission_time,
        }
        state.sent[transmission_id] = SentEvent(webhook.id, body, headers)
        sender.schedule(url=webhook.url, body=body, headers=headers, delay=delay, copies=copies)
        events.append(event)
    return events


def verification_status(state: State, request: dict[str, Any]) -> str:
    sent = state.sent.get(str(request.get("transmission_id", "")))
    if sent is None or request.get("webhook_id") != sent.webhook_id:
        return "FAILURE"
    if any(request.get(name) != sent.headers[header] for name, header in SIGNED_HEADERS.items()):
        return "FAILURE"
    if request.get("webhook_event") != json.loads(sent.body):
        return "FAILURE"
    expected = signature(state.secret, sent.headers["PAYPAL-TRANSMISSION-ID"],
                         sent.headers["PAYPAL-TRANSMISSION-TIME"], sent.webhook_id, sent.body)
    return "SUCCESS" if hmac.compare_digest(expected, str(request.get("transmission_sig"))) else "FAILURE"


def webhook_json(webhook: Webhook, base: str) -> dict[str, Any]:
    return {"id": webhook.id, "url": webhook.url,
            "event_types": [{"name": name, "description": EVENTS[name][1] if name in EVENTS else "ALL"}
                            for name in webhook.event_types],
            "links": [link(f"{base}/v1/notifications/webhooks/{webhook.id}", "self"),
                      link(f"{base}/v1/notifications/webhooks/{webhook.id}", "update", "PATCH"),
                      link(f"{base}/v1/notifications/webhooks/{webhook.id}", "delete", "DELETE")]}


async def register(request: Request) -> Response:
    state, client = state_of(request), client_of(request)
    body = await read_json(request, empty={})
    url = body.get("url") if isinstance(body, dict) else None
    types = body.get("event_types") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return problem(400, "INVALID_PARAMETER_VALUE", "url must be an absolute HTTP(S) URL.", name="VALIDATION_ERROR")
    names = [item.get("name") for item in types] if isinstance(types, list) and types and all(
        isinstance(item, dict) for item in types) else []
    if not names or any(name != "*" and name not in EVENTS for name in names):
        return problem(400, "INVALID_PARAMETER_VALUE", "event_types must name known event types.",
                       name="VALIDATION_ERROR")
    mine = [webhook for webhook in state.webhooks.values() if webhook.client_id == client]
    if any(webhook.url == url for webhook in mine):
        return problem(400, name="WEBHOOK_URL_ALREADY_EXISTS")
    if len(mine) >= MAX_WEBHOOKS:
        return problem(400, name="WEBHOOK_NUMBER_LIMIT_EXCEEDED")
    webhook = Webhook(id=new_id(17), client_id=client, url=url, event_types=[str(name) for name in names])
    state.webhooks[webhook.id] = webhook
    return JSONResponse(webhook_json(webhook, state.base_url), status_code=201)


async def listing(request: Request) -> Response:
    state, client = state_of(request), client_of(request)
    return JSONResponse({"webhooks": [webhook_json(webhook, state.base_url) for webhook in state.webhooks.values()
                                      if webhook.client_id == client]})


async def verify(request: Request) -> Response:
    body = await read_json(request, empty={})
    missing = [name for name in (*SIGNED_HEADERS, "webhook_id", "webhook_event")
               if not isinstance(body, dict) or not body.get(name)]
    if missing:
        return problem(400, "MISSING_REQUIRED_PARAMETER", f"{missing[0]} is required.", name="VALIDATION_ERROR")
    return JSONResponse({"verification_status": verification_status(state_of(request), body)})


async def simulate(request: Request) -> Response:
    state, client = state_of(request), client_of(request)
    body = await read_json(request, empty={})
    body = body if isinstance(body, dict) else {}
    event_type = body.get("event_type")
    if event_type not in EVENTS:
        return problem(400, "INVALID_PARAMETER_VALUE", "event_type is not a supported event.",
                       name="VALIDATION_ERROR")
    webhook = state.webhooks.get(str(body.get("webhook_id", "")))
    if webhook is None and isinstance(body.get("url"), str):
        webhook = next((hook for hook in state.webhooks.values() if hook.url == body["url"]),
                       Webhook(id="WEBHOOK_ID", client_id=client, url=body["url"], event_types=["*"]))
    if webhook is None or webhook.client_id != client:
        return problem(404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
    events = publish(state, request.app.state.callbacks, client_id=client, event_type=str(event_type),
                     resource=sample_resource(str(event_type), state.base_url), to=[webhook])
    return JSONResponse(events[0], status_code=202)


def sample_resource(event_type: str, base: str) -> dict[str, Any]:
    """A made-up resource of the event's type: a sandbox order, its capture or a refund of it."""
    order = Order(id=new_id(17), client_id="", request_id="", request_body={}, value="100.00", currency="USD",
                  unit={"reference_id": "default", "custom_id": "sample", "invoice_id": new_id(10)},
                  return_url="", cancel_url="", with_payment_source=True, status="APPROVED",
                  payer_email="sb-sample@example.com")
    resource_type = EVENTS[event_type][0]
    if resource_type == "checkout-order":
        if event_type == "CHECKOUT.ORDER.COMPLETED":
            order.status = "COMPLETED"
            order.capture = Capture(id=new_id(17), status="COMPLETED", value=order.value, currency=order.currency)
        return order_json(order, base)
    if resource_type == "refund":
        refund = Refund(id=new_id(17), client_id="", order_id=order.id, capture_id=new_id(17), request_id="",
                        request_body={}, value="100.00", currency="USD", status="COMPLETED")
        return refund_json(refund, base)
    status = {"COMPLETED": "COMPLETED", "PENDING": "PENDING"}.get(event_type.rsplit(".", 1)[1], "DECLINED")
    capture = Capture(id=new_id(17), status=status, value=order.value, currency=order.currency,
                      reason="PENDING_REVIEW" if status == "PENDING" else "")
    return capture_json(order, capture, base)
