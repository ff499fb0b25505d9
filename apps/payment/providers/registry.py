"""The payment providers by identifier. Every provider module registers its class here on import."""

from __future__ import annotations

from apps.payment.providers.base import PaymentProvider

_providers: dict[str, PaymentProvider] = {}


def register(provider_class: type[PaymentProvider]) -> type[PaymentProvider]:
    _providers[provider_class.identifier] = provider_class()
    return provider_class


def provider(identifier: str) -> PaymentProvider:
    _load()
    try:
        return _providers[identifier]
    except KeyError:
        raise LookupError(f"No payment provider {identifier!r}.") from None


def identifiers() -> tuple[str, ...]:
    _load()
    return tuple(sorted(_providers))


def _load() -> None:
    # the providers shipped with the platform; imported here so that the registry is complete when asked
    from apps.payment.providers import mpesa, mtn_momo, paypal  # noqa: F401, PLC0415
