"""Payments of a company through the payment core against the MTN MoMo emulator, as the sellers make them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone

from apps.payment.models import Payment, ProviderAccount
from apps.payment.services import accounts, payables, payments
from apps.payment.tests.fixtures.mtn_momo import MtnMomoEmulator

PAYER = "46733123999"  # not a sandbox test number: the request to pay succeeds
REJECTING_PAYER = "46733123451"  # APPROVAL_REJECTED


def momo_account(emulator: MtnMomoEmulator, settings: Any, *, company_id: UUID) -> ProviderAccount:
    """The company's sandbox account, the sandbox URL pointed at the emulator (restored after the test), and the
    emulator's callbacks held: nothing reaches our callback URL unless a test delivers it."""
    base_urls = dict(settings.PAYMENT_PROVIDER_BASE_URLS)
    base_urls["mtn_momo"] = {"sandbox": emulator.base_url, "production": emulator.base_url}
    settings.PAYMENT_PROVIDER_BASE_URLS = base_urls
    emulator.hold_callbacks()
    return accounts.account_save(company_id=company_id, provider="mtn_momo", environment="sandbox",
                                 values=dict(emulator.account().credentials))


def momo_payment(*, company_id: UUID, subject: str, amount_minor: int = 10050, payer: str = PAYER) -> Payment:
    """A payable of `subject` in EUR (what the sandbox collects), and a payment of it started with MoMo."""
    payables.payable_register(company_id=company_id, subject=subject, amount_minor=amount_minor, currency="EUR",
                              expires_at=timezone.now() + timedelta(minutes=10))
    return payments.payment_start(company_id=company_id, subject=subject, provider_id="mtn_momo", payer_phone=payer,
                                  return_url="", cancel_url="", initiated_by="user:test-seller")


def settled_at_provider(emulator: MtnMomoEmulator, payment: Payment) -> None:
    """Wait until the emulator has settled the payment's request to pay (it does after its settle time)."""
    def settled() -> bool:
        return any(held["reference_id"] == payment.provider_ref and held["status"] != "PENDING"
                   for held in emulator.transactions())

    emulator.wait_until(settled)
