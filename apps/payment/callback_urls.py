"""The secrets in our callback URLs: HMAC(PAYMENT_CALLBACK_SECRET, purpose:id), nothing stored, compared in
constant time. Unsigned callbacks (M-Pesa, MoMo) prove only that the sender knew the URL; the provider's query
API is what confirms them."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from django.conf import settings
from django.urls import reverse


def secret(purpose: str, target: UUID) -> str:
    digest = hmac.new(settings.PAYMENT_CALLBACK_SECRET.encode(), f"{purpose}:{target}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def secret_ok(purpose: str, target: UUID, given: str) -> bool:
    return hmac.compare_digest(secret(purpose, target), given)


def url(purpose: str, target: UUID) -> str:
    """The absolute URL a provider calls for `purpose` ("payment", "refund", "paybill-validation", ...)."""
    path = reverse("v1:payment-callback", kwargs={"purpose": purpose, "target": target,
                                                "secret": secret(purpose, target)})
    return f"{settings.PAYMENT_CALLBACK_BASE_URL}{path}"
