"""Steps of payment's tests: a company's account on an emulator, something payable, callbacks delivered to our
endpoint as the provider would (or replayed), and what the ledger and the outbox hold afterwards."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django.utils import timezone

from apps.payment.models import LedgerEntry, ProviderAccount, ProviderEvent
from apps.payment.services import accounts, callbacks, payables
from transport.events.models import OutboxMessage

KES_RATE_TO_EUR = "0.0070"  # the company's own rate, recorded on each converted payment


def account_on(emulator: Any, settings: Any, *, provider: str, company_id: uuid.UUID | None = None,
               rates: dict[str, str] | None = None, conversion_currency: str = "") -> ProviderAccount:
    """The company's sandbox account with `provider`, pointed at the emulator."""
    settings.PAYMENT_PROVIDER_BASE_URLS = {**settings.PAYMENT_PROVIDER_BASE_URLS,
                                           provider: {"sandbox": emulator.base_url, "production": emulator.base_url}}
    return accounts.account_save(company_id=company_id or uuid.uuid4(), provider=provider, environment="sandbox",
                                 values=dict(emulator.account().credentials), conversion_rates=rates or {},
                                 conversion_currency=conversion_currency)


def payable(company_id: uuid.UUID, *, amount_minor: int = 150_000, currency: str = "KES",
            subject: str | None = None, minutes: int = 10) -> str:
    subject = subject or f"booking:{uuid.uuid4()}"
    payables.payable_register(company_id=company_id, subject=subject, amount_minor=amount_minor, currency=currency,
                              expires_at=timezone.now() + timedelta(minutes=minutes))
    return subject


def deliver(callback: dict[str, Any], *, client: Client | None = None, body: str | None = None) -> int:
    """POST (or PUT) a callback the emulator recorded to our endpoint, through Django; the answer's status."""
    url = urlsplit(callback["url"])
    send = getattr(client or Client(), callback["method"].lower())
    headers = {name: value for name, value in callback["headers"].items() if name.lower() != "content-type"}
    response = send(url.path, data=callback["body"] if body is None else body, headers=headers,
                    content_type=callback["headers"].get("content-type", "application/json"))
    return int(response.status_code)


def process_stored() -> list[str]:
    """What a worker does with every stored callback not processed yet."""
    ids = ProviderEvent.objects.filter(outcome=ProviderEvent.Outcome.RECEIVED).order_by("id").values_list("id",
                                                                                                          flat=True)
    return [callbacks.event_process(event_id) for event_id in list(ids)]


def published(event: str) -> list[dict[str, Any]]:
    return [row.payload for row in OutboxMessage.objects.filter(event=event).order_by("created_at")]


def credits_of(payment_id: uuid.UUID) -> list[tuple[str, int, str]]:
    return list(LedgerEntry.objects.filter(payment_id=payment_id).order_by("id")
                .values_list("kind", "amount_minor", "currency"))
