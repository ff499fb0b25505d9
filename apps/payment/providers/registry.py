"""The payment providers by identifier: the shipped ones, listed once here. A provider module knows nothing of
the registry (no self-registration, so no import loop)."""

from __future__ import annotations

from apps.payment.providers.base import PaymentProvider
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.providers.mtn_momo import MtnMomo
from apps.payment.providers.paypal import PayPal

_providers: dict[str, PaymentProvider] = {cls.identifier: cls() for cls in (MpesaProvider, MtnMomo, PayPal)}


def provider(identifier: str) -> PaymentProvider:
    try:
        return _providers[identifier]
    except KeyError:
        raise LookupError(f"No payment provider {identifier!r}.") from None


def identifiers() -> tuple[str, ...]:
    return tuple(sorted(_providers))
