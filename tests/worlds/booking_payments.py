"""Payment's side of ticketing's tests: what payment recorded for a booking (its payable, payments, ledger rows,
refunds), payments the provider confirmed (moved by payment's own state machine), provider accounts on the
emulators, and payment's worker steps run in the test (process a stored callback, send a refund).

Ticketing's own code sees payment only through apps.payment.api and apps.payment.signals; its tests read and drive
payment's internals from here.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from django.db import transaction

from apps.payment import tasks
from apps.payment.models import LedgerEntry, Payable, Payment, ProviderEvent, Refund
from apps.payment.providers.base import Outcome, PaymentStatus
from apps.payment.services import payments, transitions
from apps.payment.tests.fixtures.mpesa import MpesaEmulator, mpesa_emulator, mpesa_emulator_server
from apps.payment.tests.fixtures.paypal import PaypalEmulator, paypal_emulator, paypal_emulator_server
from apps.payment.tests.flows import account_on, deliver

__all__ = ["MpesaEmulator", "PaypalEmulator", "account_on", "cash_of", "company_ledger", "deliver", "ledger_of",
           "mpesa_emulator", "mpesa_emulator_server", "payable_of", "payment_confirmed", "payments_of",
           "paypal_emulator", "paypal_emulator_server", "process_received", "refunds_of", "refunds_send",
           "subject_of"]


def subject_of(booking_id: UUID) -> str:
    """The payment subject of a booking, as ticketing names it."""
    return f"booking:{booking_id}"


def payable_of(booking_id: UUID) -> Payable | None:
    return Payable.objects.filter(subject=subject_of(booking_id)).first()


def payments_of(booking_id: UUID) -> list[Payment]:
    return list(Payment.objects.filter(subject=subject_of(booking_id)).order_by("created_at"))


def ledger_of(booking_id: UUID) -> list[tuple[str, str, int, str]]:
    """(provider, kind, amount, currency) of every ledger row of the booking's payments, in order."""
    return list(LedgerEntry.objects.filter(payment__subject=subject_of(booking_id)).order_by("id")
                .values_list("provider", "kind", "amount_minor", "currency"))


def cash_of(booking_id: UUID) -> list[tuple[int, str, str]]:
    """(amount, currency, collector) of the cash credited for the booking."""
    return list(LedgerEntry.objects.filter(payment__subject=subject_of(booking_id), provider="cash", kind="charge")
                .order_by("id").values_list("amount_minor", "currency", "collector"))


def company_ledger(company_id: UUID) -> list[tuple[str, str, int, str]]:
    """(provider, kind, amount, currency) of every ledger row of the company, in order."""
    return list(LedgerEntry.objects.filter(company_id=company_id).order_by("id")
                .values_list("provider", "kind", "amount_minor", "currency"))


def refunds_of(booking_id: UUID) -> list[tuple[str, int, str, UUID]]:
    """(key, amount, state, payment id) of the refunds asked for the booking's payments, in order."""
    return list(Refund.objects.filter(payment__subject=subject_of(booking_id)).order_by("created_at")
                .values_list("key", "amount_minor", "state", "payment_id"))


def payment_confirmed(*, company_id: UUID, subject: str, amount_minor: int, currency: str = "KES",
                      provider: str = "mpesa", payer: str = "254708374149") -> Payment:
    """A payment of `subject` that the provider's status API confirmed, moved as payment moves one: pending, then
    succeeded by the answer (the ledger credited once, payment_succeeded in the outbox)."""
    with transaction.atomic():
        payment = Payment(company_id=company_id, provider=provider, subject=subject,
                          amount_minor=amount_minor, currency=currency, charge_amount_minor=amount_minor,
                          charge_currency=currency, payer=payer, initiated_by="user:ticketing-tests",
                          provider_ref=f"ws_CO_{uuid.uuid4().hex[:12]}")
        transitions.moved(payment, Payment.State.PENDING, actor="user:ticketing-tests")
    status = PaymentStatus(outcome=Outcome.SUCCEEDED, provider_ref=payment.provider_ref,
                           transaction_id=f"TX{uuid.uuid4().hex[:8].upper()}", amount_minor=amount_minor,
                           currency=currency, payer=payer)
    assert payments.status_apply(payment_id=payment.id, status=status, actor=f"poll:{provider}") == "applied"
    return Payment.objects.get(pk=payment.id)


def process_received() -> list[str]:
    """What payment's worker does with each stored callback not processed yet (its task, run here)."""
    ids = ProviderEvent.objects.filter(outcome=ProviderEvent.Outcome.RECEIVED).order_by("id").values_list("id",
                                                                                                          flat=True)
    return [tasks.process_event(event_id) for event_id in list(ids)]


def refunds_send() -> list[str]:
    """What payment's worker does with each refund asked for (sent after its requester's transaction commits)."""
    ids = Refund.objects.filter(state=Refund.State.REQUESTED).order_by("created_at").values_list("id", flat=True)
    return [tasks.send_refund(str(refund_id)) for refund_id in list(ids)]

