"""The companies' provider accounts: written with their credentials encrypted, read back as a provider call
needs them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.payment import credentials
from apps.payment.models import ProviderAccount
from apps.payment.providers import registry
from apps.payment.providers.base import Account, Environment
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.money import EXPONENTS


def account_save(*, company_id: UUID, provider: str, environment: str, values: Mapping[str, str],
                 label: str = "", conversion_rates: Mapping[str, str] | None = None,
                 conversion_currency: str = "", account_id: UUID | None = None,
                 active: bool | None = None) -> ProviderAccount:
    """Create (or, with account_id, update) a company's account. Blank secret values keep the stored ones, so an
    admin form never has to show a secret to keep it. `active` None keeps it (a new account is active)."""
    fields = registry.provider(provider).credential_fields
    known = {field.name for field in fields}
    unknown = set(values) - known
    if unknown:
        raise ValidationFailed(f"Unknown credential fields: {', '.join(sorted(unknown))}.", code="invalid")
    if environment not in Environment.__members__.values():
        raise ValidationFailed("environment is sandbox or production.", code="invalid")
    rates = rates_checked(conversion_rates or {})
    if conversion_currency and conversion_currency not in EXPONENTS:
        raise ValidationFailed(f"Unknown currency {conversion_currency!r}.", code="invalid")
    with transaction.atomic():
        found = None if account_id is None else ProviderAccount.objects.select_for_update().filter(
            pk=account_id, company_id=company_id).first()
        if account_id is not None and found is None:
            raise NotFound("No such provider account.")
        account = found or ProviderAccount(company_id=company_id, provider=provider)
        stored = credentials.decrypt(account.credentials_encrypted) if found else {}
        merged = {**stored, **{name: value for name, value in values.items() if value != ""}}
        account.environment = environment
        account.label = label
        account.conversion_rates = rates
        account.conversion_currency = conversion_currency
        if active is not None:
            account.active = active
        account.credentials_encrypted = credentials.encrypt(merged)
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise Conflict("The company already has an active account with this provider.",
                           code="account_exists") from None
    return account


def rates_checked(rates: Mapping[str, str]) -> dict[str, str]:
    checked = {}
    for currency, rate in rates.items():
        if currency not in EXPONENTS:
            raise ValidationFailed(f"Unknown currency {currency!r} in conversion rates.", code="invalid")
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            raise ValidationFailed(f"The rate for {currency} is not a number.", code="invalid") from None
        if not value.is_finite() or value <= 0:
            raise ValidationFailed(f"The rate for {currency} must be positive.", code="invalid")
        checked[currency] = str(value)
    return checked


def account_call_view(account: ProviderAccount) -> Account:
    """What a provider call needs: the base URL of the account's environment and its decrypted credentials."""
    return Account(id=account.id, provider=account.provider, environment=Environment(account.environment),
                   base_url=base_url(account.provider, account.environment),
                   credentials=credentials.decrypt(account.credentials_encrypted))


def base_url(provider: str, environment: str) -> str:
    return str(settings.PAYMENT_PROVIDER_BASE_URLS[provider][environment]).rstrip("/")


def active_account(*, company_id: UUID, provider: str) -> ProviderAccount:
    account = ProviderAccount.objects.filter(company_id=company_id, provider=provider, active=True).first()
    if account is None:
        raise ValidationFailed(f"This company takes no {provider} payments.", code="provider_not_available")
    return account


def credentials_rotate() -> int:
    """Re-encrypt every account's credentials under the first configured key; the number of accounts."""
    count = 0
    for account in ProviderAccount.objects.select_for_update().order_by("id"):
        account.credentials_encrypted = credentials.rotate(account.credentials_encrypted)
        account.save(update_fields=["credentials_encrypted"])
        count += 1
    return count
