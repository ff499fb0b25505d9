"""Charge and refund requests as the payment core would make them, with test defaults."""

from __future__ import annotations

import uuid
from typing import Any

from apps.payment.providers.base import ChargeRequest, RefundRequest

SUCCESS_PAYER = "46733123999"  # not a sandbox test number: SUCCESSFUL


def charge_request(**overrides: Any) -> ChargeRequest:
    values: dict[str, Any] = {
        "payment_id": uuid.uuid4(), "attempt_id": uuid.uuid4(), "reference": "BK-1234", "description": "Bus ticket",
        "amount_minor": 10050, "currency": "EUR", "payer_phone": SUCCESS_PAYER, "callback_url": "",
    }
    return ChargeRequest(**{**values, **overrides})


def refund_request(transaction_id: str, **overrides: Any) -> RefundRequest:
    values: dict[str, Any] = {
        "refund_id": uuid.uuid4(), "provider_ref": transaction_id, "transaction_id": transaction_id,
        "amount_minor": 10050, "currency": "EUR", "payer": SUCCESS_PAYER, "result_url": "",
    }
    return RefundRequest(**{**values, **overrides})
