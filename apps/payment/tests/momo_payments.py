"""Payments of a company through the payment core against the MTN MoMo emulator, as the sellers make them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from apps.payment.models import Payment, ProviderAccount
from apps.payment.services import payments
from apps.payment.tests.fixtures.mtn_momo import MtnMomoEmulator
from apps.payment.tests.flows import account_on, payable

PAYER = "46733123999"  # not a sandbox test number: the request to pay succeeds
REJECTING_PAYER = "46733123451"  # APPROVAL_REJECTED


def momo_account(emulator: MtnMomoEmulator, settings: Any, *, company_id: UUID) -> ProviderAccount:
    """The company's sandbox account on the emulator, whose callbacks are held: nothing reaches our callback URL
    unless a test delivers it."""
    emulator.hold_callbacks()
    return account_on(emulator, settings, provider="mtn_momo", company_id=company_id)


def momo_payment(*, company_id: UUID, subject: str, amount_minor: int = 10050, payer: str = PAYER) -> Payment:
    """A payable of `subject` in EUR (what the sandbox collects), and a payment of it started with MoMo."""
    payable(company_id, amount_minor=amount_minor, currency="EUR", subject=subject)
    return payments.payment_start(company_id=company_id, subject=subject, provider_id="mtn_momo", payer_phone=payer,
                                  return_url="", cancel_url="", initiated_by="user:test-seller")


def settled_at_provider(emulator: MtnMomoEmulator, payment: Payment) -> None:
    """Wait until the emulator has settled the payment's request to pay (it does after its settle time)."""
    def settled() -> bool:
        return any(held["reference_id"] == payment.provider_ref and held["status"] != "PENDING"
                   for held in emulator.transactions())

    emulator.wait_until(settled)
