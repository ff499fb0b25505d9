"""Telling the providers where to reach us, for what they send unprompted: M-Pesa's Paybill validation and
confirmation URLs (C2B register URL), and PayPal's webhook (its id kept as the account's webhook_id).
`manage.py payment_register_urls` runs it for every active account."""

from __future__ import annotations

from apps.payment import callback_urls
from apps.payment.models import ProviderAccount
from apps.payment.providers import registry
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.providers.paypal import PayPal
from apps.payment.services.accounts import account_call_view, account_save

PAYPAL_EVENTS = ["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.PENDING",
                 "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED", "PAYMENT.CAPTURE.REFUNDED",
                 "PAYMENT.CAPTURE.REVERSED"]


def account_urls_register(account: ProviderAccount) -> list[str]:
    """Register the account's URLs with its provider; what was registered, for the operator to read."""
    provider = registry.provider(account.provider)
    if isinstance(provider, MpesaProvider):
        validation = callback_urls.url("paybill-validation", account.id)
        confirmation = callback_urls.url("paybill-confirmation", account.id)
        provider.c2b_register(account_call_view(account), validation_url=validation, confirmation_url=confirmation)
        return [f"Paybill validation and confirmation URLs of {account}"]
    if isinstance(provider, PayPal):
        call_account = account_call_view(account)
        if call_account.credentials.get("webhook_id"):
            return []
        webhook_id = provider.webhook_register(call_account, url=callback_urls.url("paypal-webhook", account.id),
                                               event_types=PAYPAL_EVENTS)
        account_save(company_id=account.company_id, provider=account.provider, environment=account.environment,
                     values={"webhook_id": webhook_id}, label=account.label,
                     conversion_rates=account.conversion_rates, conversion_currency=account.conversion_currency,
                     account_id=account.id)
        return [f"PayPal webhook {webhook_id} of {account}"]
    return []
