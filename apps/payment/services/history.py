"""Recording a seller's past payments and refunds as they happened (a demo company's operating history): the rows
a payment leaves behind, written in bulk at their own times, with no provider asked and nothing announced.

What a payment leaves: the payable its subject was open under (payer-facing reference), the payment with its
charge (converted at the company's account rate where the provider charges another currency), the request made
to the provider, every state change in the transition log, and a ledger credit when it succeeded; a refund, and
its ledger debit when it succeeded. Ids come from the caller; references are derived from the subject, so the
same history writes the same rows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from apps.payment.charging import converted_minor
from apps.payment.models import (
    LedgerEntry,
    Payable,
    Payment,
    PaymentAttempt,
    PaymentTransition,
    Provider,
    ProviderAccount,
    Refund,
)
from apps.payment.services.payables import REFERENCE_ALPHABET, REFERENCE_LENGTH
from transport.demo import recorded_times

# the actor of the state changes the provider's answers made
PROVIDER_ACTOR = "system:provider-callback"


@dataclass(frozen=True)
class PastPayable:
    subject: str
    amount_minor: int
    currency: str
    created_at: datetime
    expires_at: datetime
    state: str  # open, settled or withdrawn


@dataclass(frozen=True)
class PastPayment:
    id: UUID
    subject: str
    provider: str  # mpesa, mtn_momo, paypal or cash
    amount_minor: int
    currency: str
    state: str  # succeeded, failed or expired (pending: still open)
    created_at: datetime
    settled_at: datetime | None
    initiated_by: str  # "user:<id>", "device:<id>"; for cash the collector
    payer: str = ""
    transaction_id: str = ""  # the provider's receipt of a succeeded payment (cash: none, one is made)
    failure_code: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class PastRefund:
    id: UUID
    payment_id: UUID
    amount_minor: int
    reason: str
    state: str  # pending, awaiting_cash, succeeded or failed
    created_at: datetime
    settled_at: datetime | None
    requested_by: str
    failure_reason: str = ""


def reference_for(subject: str) -> str:
    """The payer-facing reference of a past payable: derived from its subject (8 of 32 symbols)."""
    digest = int.from_bytes(hashlib.sha256(subject.encode()).digest()[:8], "big")
    symbols = []
    for _ in range(REFERENCE_LENGTH):
        digest, index = divmod(digest, len(REFERENCE_ALPHABET))
        symbols.append(REFERENCE_ALPHABET[index])
    return "".join(symbols)


def history_record(*, company_id: UUID, payables: Sequence[PastPayable], payments: Sequence[PastPayment],
                   refunds: Sequence[PastRefund]) -> dict[str, str]:
    """Write the rows; answers subject -> reference of the payables. Call it once per history (in its
    transaction): the ids are the caller's, so a second call fails on them rather than doubling anything."""
    accounts = {account.provider: account for account in ProviderAccount.objects.filter(company_id=company_id,
                                                                                        active=True)}
    references = {payable.subject: reference_for(payable.subject) for payable in payables}
    payment_rows = [_payment(company_id, past, accounts.get(past.provider), references.get(past.subject, ""))
                    for past in payments]
    by_id = {row.id: row for row in payment_rows}
    refund_rows = [_refund(company_id, past, by_id[past.payment_id]) for past in refunds]
    with recorded_times(Payable, Payment, PaymentAttempt, PaymentTransition, Refund, LedgerEntry):
        Payable.objects.bulk_create([
            Payable(company_id=company_id, subject=past.subject, reference=references[past.subject],
                    amount_minor=past.amount_minor, currency=past.currency, expires_at=past.expires_at,
                    state=past.state, created_at=past.created_at) for past in payables])
        Payment.objects.bulk_create(payment_rows)
        PaymentAttempt.objects.bulk_create([
            PaymentAttempt(id=uuid.uuid5(row.id, "attempt"), payment=row, provider_ref=row.provider_ref,
                           outcome=PaymentAttempt.Outcome.INITIATED, started_at=row.created_at,
                           finished_at=row.created_at) for row in payment_rows if row.provider != Provider.CASH])
        PaymentTransition.objects.bulk_create([transition for row in payment_rows for transition in _moves(row)])
        Refund.objects.bulk_create(refund_rows)
        LedgerEntry.objects.bulk_create([
            *(LedgerEntry(company_id=company_id, account_id=row.account_id, provider=row.provider,
                          kind=LedgerEntry.Kind.CHARGE, payment=row, amount_minor=row.charge_amount_minor,
                          currency=row.charge_currency, provider_txn=row.transaction_id,
                          collector=row.initiated_by if row.provider == Provider.CASH else "", at=_settled(row))
              for row in payment_rows if row.state == Payment.State.SUCCEEDED),
            *(LedgerEntry(company_id=company_id, account_id=by_id[refund.payment_id].account_id,
                          provider=by_id[refund.payment_id].provider, kind=LedgerEntry.Kind.REFUND,
                          payment=by_id[refund.payment_id], refund=refund, amount_minor=-refund.charge_amount_minor,
                          currency=by_id[refund.payment_id].charge_currency, provider_txn=refund.transaction_id,
                          collector=refund.requested_by if by_id[refund.payment_id].provider == Provider.CASH
                          else "", at=_settled(refund))
              for refund in refund_rows if refund.state == Refund.State.SUCCEEDED),
        ])
    return references


def _payment(company_id: UUID, past: PastPayment, account: ProviderAccount | None, reference: str) -> Payment:
    charge_amount, charge_currency, rate = past.amount_minor, past.currency, ""
    if account is not None and past.currency in account.conversion_rates and account.conversion_currency:
        rate = account.conversion_rates[past.currency]
        charge_currency = account.conversion_currency
        charge_amount = converted_minor(amount_minor=past.amount_minor, currency=past.currency, rate=rate,
                                        target=charge_currency)
    cash = past.provider == Provider.CASH
    ref = "" if cash else f"{past.provider}-{past.id.hex[:20]}"
    succeeded = past.state == Payment.State.SUCCEEDED
    return Payment(
        id=past.id, company_id=company_id, account=None if cash else account, provider=past.provider,
        subject=past.subject, reference=reference, amount_minor=past.amount_minor, currency=past.currency,
        charge_amount_minor=charge_amount, charge_currency=charge_currency, conversion_rate=rate, payer=past.payer,
        initiated_by=past.initiated_by, state=past.state, provider_ref=ref,
        transaction_id=(f"cash:{past.id}" if cash else past.transaction_id or past.id.hex[:16].upper())
        if succeeded else "",
        failure_code=past.failure_code, failure_reason=past.failure_reason, created_at=past.created_at,
        settled_at=past.settled_at)


def _moves(payment: Payment) -> list[PaymentTransition]:
    if payment.provider == Provider.CASH:
        return [PaymentTransition(payment=payment, from_state="", to_state=payment.state, actor=payment.initiated_by,
                                  at=payment.created_at)]
    moves = [PaymentTransition(payment=payment, from_state="", to_state=Payment.State.PENDING,
                               actor=payment.initiated_by, at=payment.created_at)]
    if payment.state != Payment.State.PENDING:
        moves.append(PaymentTransition(payment=payment, from_state=Payment.State.PENDING, to_state=payment.state,
                                       actor=PROVIDER_ACTOR, reason=payment.failure_reason,
                                       provider_ref=payment.provider_ref, at=_settled(payment)))
    return moves


def _settled(row: Payment | Refund) -> datetime:
    """When a payment or refund that ended did (a past one that ended always says)."""
    assert row.settled_at is not None
    return row.settled_at


def _refund(company_id: UUID, past: PastRefund, payment: Payment) -> Refund:
    charge = (past.amount_minor if not payment.conversion_rate else converted_minor(
        amount_minor=past.amount_minor, currency=payment.currency, rate=payment.conversion_rate,
        target=payment.charge_currency, up=False))
    succeeded = past.state == Refund.State.SUCCEEDED
    return Refund(
        id=past.id, company_id=company_id, payment=payment, key=f"history:{past.id}", amount_minor=past.amount_minor,
        currency=payment.currency, charge_amount_minor=max(charge, 1), reason=past.reason, state=past.state,
        provider_ref="" if payment.provider == Provider.CASH else f"refund-{past.id.hex[:20]}",
        transaction_id=(f"cash-refund:{past.id}" if payment.provider == Provider.CASH
                        else past.id.hex[:16].upper()) if succeeded else "",
        failure_code="declined" if past.state == Refund.State.FAILED else "", failure_reason=past.failure_reason,
        attempts=0 if payment.provider == Provider.CASH else 1, requested_by=past.requested_by,
        created_at=past.created_at, settled_at=past.settled_at)
