"""What the PayPal tests build again and again: the provider, a charge, a paid order, a refund request."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from apps.payment.providers.base import (
    Account,
    ChargeRequest,
    Initiated,
    Outcome,
    PaymentStatus,
    RefundRequest,
)
from apps.payment.providers.paypal import PayPal
from apps.payment.providers.registry import provider
from apps.payment.tests.fixtures.paypal import PaypalEmulator

RETURN_URL = "https://transport.example/pay/return"
CANCEL_URL = "https://transport.example/pay/cancel"


def paypal() -> PayPal:
    registered = provider("paypal")
    assert isinstance(registered, PayPal)
    return registered


def charge(**overrides: Any) -> ChargeRequest:
    values: dict[str, Any] = {
        "payment_id": uuid4(), "attempt_id": uuid4(), "reference": "BK-7F3K2Q", "description": "Bus ticket",
        "amount_minor": 2500, "currency": "USD", "payer_phone": "",
        "callback_url": "https://transport.example/payments/callback/s3cret", "return_url": RETURN_URL,
        "cancel_url": CANCEL_URL,
    }
    return ChargeRequest(**(values | overrides))


def approved(emulator: PaypalEmulator, account: Account, *, payer: str = "",
             **overrides: Any) -> tuple[ChargeRequest, Initiated]:
    """An order the buyer (`payer`, an email) has approved on PayPal, not captured yet."""
    request = charge(**overrides)
    initiated = paypal().initiate(account, request)
    assert emulator.approve(initiated.provider_ref, payer=payer).status_code == 302
    return request, initiated


def paid(emulator: PaypalEmulator, account: Account, *, payer: str = "",
         **overrides: Any) -> tuple[ChargeRequest, PaymentStatus]:
    """An approved order captured by status(): the capture COMPLETED (unless a script says otherwise)."""
    request, initiated = approved(emulator, account, payer=payer, **overrides)
    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)
    assert status.outcome is Outcome.SUCCEEDED
    return request, status


def refund_request(payment: PaymentStatus, **overrides: Any) -> RefundRequest:
    values: dict[str, Any] = {
        "refund_id": uuid4(), "provider_ref": payment.provider_ref, "transaction_id": payment.transaction_id,
        "amount_minor": payment.amount_minor, "currency": payment.currency, "payer": payment.payer,
        "result_url": "https://transport.example/payments/refund-result/s3cret",
    }
    return RefundRequest(**(values | overrides))


def order_of(emulator: PaypalEmulator, order_id: str) -> dict[str, Any]:
    [order] = [item for item in emulator.transactions() if item["id"] == order_id]
    return order


def refunds(emulator: PaypalEmulator) -> list[dict[str, Any]]:
    return [item for item in emulator.transactions() if item["kind"] == "refund"]
