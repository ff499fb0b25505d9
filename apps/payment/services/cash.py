"""Cash taken at a counter or by a POS device: the same ledger as the providers', the collector named, so a
shift's takings reconcile against the tickets it sold."""

from __future__ import annotations

from uuid import UUID

from apps.payment.models import Payable, Payment, Provider
from apps.payment.services import transitions


def cash_record(*, company_id: UUID, subject: str, amount_minor: int, currency: str, collector: str) -> Payment:
    """Record cash already taken for `subject` (call it in the sale's transaction). Not announced: the seller
    fulfils a cash sale itself in the same transaction."""
    payment = Payment(company_id=company_id, provider=Provider.CASH, subject=subject, amount_minor=amount_minor,
                      currency=currency, charge_amount_minor=amount_minor, charge_currency=currency,
                      initiated_by=collector, payer="")
    reference = Payable.objects.filter(subject=subject).values_list("reference", flat=True).first()
    payment.reference = reference or ""
    transitions.succeeded(payment, transaction_id=f"cash:{payment.id}", actor=collector, collector=collector,
                          announce=False)
    return payment
