"""The published events of payment: each signal with its typed payload (see transport.events.payloads for how a
payload may change). `subject` is the key the caller chose when it asked for the payment ("booking:<uuid>");
ids are strings, amounts integer minor units with their ISO currency."""

from __future__ import annotations

from dataclasses import dataclass

from transport.events import EventPayload, EventSignal


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(EventPayload):
    """Confirmed with the provider and credited to the ledger once. A payment that nobody expected (a Paybill
    payment naming no open payable) has subject ""."""

    payment_id: str
    company_id: str
    subject: str
    provider: str
    amount_minor: int  # what was owed, in `currency`
    currency: str
    charge_amount_minor: int  # what the provider charged, in `charge_currency`
    charge_currency: str
    transaction_id: str
    late: bool  # it had failed or expired before the provider said it was paid after all


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(EventPayload):
    payment_id: str
    company_id: str
    subject: str
    provider: str
    reason_code: str  # the provider's code ("1032") or ours ("expired")
    reason: str


@dataclass(frozen=True, kw_only=True)
class RefundCompleted(EventPayload):
    refund_id: str
    payment_id: str
    company_id: str
    subject: str
    key: str  # the requester's key ("ticket:<uuid>")
    provider: str
    amount_minor: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class RefundFailed(EventPayload):
    refund_id: str
    payment_id: str
    company_id: str
    subject: str
    key: str
    provider: str
    amount_minor: int
    currency: str
    reason_code: str
    reason: str


payment_succeeded = EventSignal(PaymentSucceeded)
payment_failed = EventSignal(PaymentFailed)
refund_completed = EventSignal(RefundCompleted)
refund_failed = EventSignal(RefundFailed)
