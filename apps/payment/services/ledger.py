"""Ledger rows: the only way money is recorded. Balances are sums of rows, never a stored number."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Sum

from apps.payment.models import LedgerEntry, Payment, Refund


def charge_credit(*, payment: Payment, provider_txn: str, collector: str = "") -> LedgerEntry:
    """Money in for a payment, once: the constraints refuse a second credit of the payment or the transaction."""
    return LedgerEntry.objects.create(
        company_id=payment.company_id, account_id=payment.account_id, provider=payment.provider,
        kind=LedgerEntry.Kind.CHARGE, payment=payment, amount_minor=payment.charge_amount_minor,
        currency=payment.charge_currency, provider_txn=provider_txn, collector=collector)


def refund_debit(*, refund: Refund, provider_txn: str, collector: str = "") -> LedgerEntry:
    payment = refund.payment
    return LedgerEntry.objects.create(
        company_id=payment.company_id, account_id=payment.account_id, provider=payment.provider,
        kind=LedgerEntry.Kind.REFUND, payment=payment, refund=refund, amount_minor=-refund.charge_amount_minor,
        currency=payment.charge_currency, provider_txn=provider_txn, collector=collector)


def payment_balance_minor(payment_id: UUID) -> int:
    """What the ledger holds for a payment: its credit less its refunds (in the charge currency)."""
    total = LedgerEntry.objects.filter(payment_id=payment_id).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)
