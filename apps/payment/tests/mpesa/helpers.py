"""What the M-Pesa tests share: the provider and a charge of the test phone."""

from __future__ import annotations

import uuid
from dataclasses import replace

from apps.payment.providers.base import ChargeRequest
from apps.payment.providers.registry import provider

mpesa = provider("mpesa")

TEST_PHONE = "254708374149"


def charge(callback_url: str, **changes: object) -> ChargeRequest:
    """KES 1,500 from the test phone."""
    request = ChargeRequest(payment_id=uuid.uuid4(), attempt_id=uuid.uuid4(), reference="BK-7F3A", description="Bus ticket",
                            amount_minor=150000, currency="KES", payer_phone=TEST_PHONE, callback_url=callback_url)
    return replace(request, **changes)  # type: ignore[arg-type]
