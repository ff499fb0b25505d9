"""The state machine of payments: the only code that changes a payment's state, one transition row each."""

from __future__ import annotations

from django.utils import timezone

from apps.payment import signals
from apps.payment.models import Payable, Payment, PaymentTransition, ProviderEvent
from apps.payment.services import ledger
from transport.events import publish

ALLOWED: dict[str, set[str]] = {
    "": {Payment.State.PENDING, Payment.State.SUCCEEDED},
    Payment.State.PENDING: {Payment.State.SUCCEEDED, Payment.State.FAILED, Payment.State.EXPIRED},
    # the provider's word wins: money that arrived after we gave up is still credited (and then refunded or used)
    Payment.State.FAILED: {Payment.State.SUCCEEDED},
    Payment.State.EXPIRED: {Payment.State.SUCCEEDED},
    Payment.State.SUCCEEDED: set(),
}


class IllegalTransition(Exception):
    pass


def moved(payment: Payment, to_state: str, *, actor: str, reason: str = "",
          evidence: ProviderEvent | None = None) -> PaymentTransition:
    """Record the move (the caller holds the payment's row lock) and save the payment's changed state."""
    from_state = "" if payment._state.adding else payment.state
    if to_state not in ALLOWED[from_state]:
        raise IllegalTransition(f"A {from_state or 'new'} payment cannot become {to_state}.")
    payment.state = to_state
    if to_state != Payment.State.PENDING:
        payment.settled_at = timezone.now()
        payment.next_poll_at = None
    payment.save()
    return PaymentTransition.objects.create(payment=payment, from_state=from_state, to_state=to_state, actor=actor,
                                            reason=reason[:255], provider_ref=payment.provider_ref,
                                            evidence=evidence)


def succeeded(payment: Payment, *, transaction_id: str, actor: str, evidence: ProviderEvent | None = None,
              collector: str = "", announce: bool = True) -> None:
    """Credit the ledger once and mark the payment succeeded; announce it unless the caller fulfils it itself."""
    late = payment.state in (Payment.State.FAILED, Payment.State.EXPIRED)
    payment.transaction_id = transaction_id
    payment.failure_code = payment.failure_reason = ""
    moved(payment, Payment.State.SUCCEEDED, actor=actor, reason="late success" if late else "", evidence=evidence)
    ledger.charge_credit(payment=payment, provider_txn=transaction_id, collector=collector)
    if payment.subject:
        Payable.objects.filter(subject=payment.subject, state=Payable.State.OPEN).update(state=Payable.State.SETTLED)
    if announce:
        publish(signals.payment_succeeded, signals.PaymentSucceeded(
            payment_id=str(payment.id), company_id=str(payment.company_id), subject=payment.subject,
            provider=payment.provider, amount_minor=payment.amount_minor, currency=payment.currency,
            charge_amount_minor=payment.charge_amount_minor, charge_currency=payment.charge_currency,
            transaction_id=transaction_id, late=late))


def ended(payment: Payment, to_state: str, *, code: str, reason: str, actor: str,
          evidence: ProviderEvent | None = None) -> None:
    """A payment that will not be paid (failed or expired), announced."""
    payment.failure_code = code[:40]
    payment.failure_reason = reason[:255]
    moved(payment, to_state, actor=actor, reason=f"{code} {reason}".strip(), evidence=evidence)
    publish(signals.payment_failed, signals.PaymentFailed(
        payment_id=str(payment.id), company_id=str(payment.company_id), subject=payment.subject,
        provider=payment.provider, reason_code=code or to_state, reason=reason))
