"""What the M-Pesa tests share: the provider and a charge of the test phone."""

from __future__ import annotations

import socket
import uuid
from dataclasses import replace

from apps.payment.providers.base import ChargeRequest
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.providers.registry import provider

_registered = provider("mpesa")
assert isinstance(_registered, MpesaProvider)
mpesa: MpesaProvider = _registered  # the registry's instance, with the M-Pesa methods beyond the base class

TEST_PHONE = "254708374149"


def charge(callback_url: str, **changes: object) -> ChargeRequest:
    """KES 1,500 from the test phone."""
    request = ChargeRequest(payment_id=uuid.uuid4(), attempt_id=uuid.uuid4(), reference="BK-7F3A",
                            description="Bus ticket", amount_minor=150000, currency="KES", payer_phone=TEST_PHONE,
                            callback_url=callback_url)
    return replace(request, **changes)  # type: ignore[arg-type]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
