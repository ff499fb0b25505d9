"""Telling the providers where to reach us, for what they send unprompted: M-Pesa's Paybill validation and
confirmation URLs (C2B register URL). `manage.py payment_register_urls` runs it for every active account."""

from __future__ import annotations

from apps.payment import callback_urls
from apps.payment.models import ProviderAccount
from apps.payment.providers import registry
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.services.accounts import account_call_view


def account_urls_register(account: ProviderAccount) -> list[str]:
    """Register the account's URLs with its provider; what was registered, for the operator to read."""
    provider = registry.provider(account.provider)
    if isinstance(provider, MpesaProvider):
        validation = callback_urls.url("paybill-validation", account.id)
        confirmation = callback_urls.url("paybill-confirmation", account.id)
        provider.c2b_register(account_call_view(account), validation_url=validation, confirmation_url=confirmation)
        return [f"Paybill validation and confirmation URLs of {account}"]
    return []
