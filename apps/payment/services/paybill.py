"""M-Pesa Paybill (C2B): the passenger pays the company's paybill from their phone, quoting the booking's payment
reference as the account number.

- Validation (Daraja waits for our answer): accept only an open payable of the account's company with exactly
  its amount in whole shillings; refuse anything else with Daraja's codes, so the money never leaves the payer.
- Confirmation: the money moved. Unsigned like every Daraja call, so it only opens a pending payment (one per
  M-Pesa receipt) and asks Daraja's transaction status API about the receipt; the result, at a URL with this
  payment's secret, decides. A payment naming no payable, or not its amount, is kept with no subject (nobody
  is fulfilled) for the company to give back.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.payment import callback_urls
from apps.payment.models import Payable, Payment, ProviderAccount, ProviderEvent
from apps.payment.providers import registry
from apps.payment.providers.base import MalformedCallback, OutcomeUnknown, ProviderError, Unreachable
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.services import payables, transitions
from apps.payment.services.accounts import account_call_view

# Daraja's C2B validation result codes
INVALID_ACCOUNT = "C2B00012"
INVALID_AMOUNT = "C2B00013"
OTHER_ERROR = "C2B00016"
STATUS_WINDOW = timedelta(hours=1)  # how long a confirmation may wait for its transaction status result
COMPLETED = "Completed"


def _mpesa() -> MpesaProvider:
    provider = registry.provider("mpesa")
    assert isinstance(provider, MpesaProvider)
    return provider


def validation_answer(event: ProviderEvent) -> dict[str, str]:
    """Answer a stored validation request at once, and record the decision on it."""
    mpesa = _mpesa()
    account = ProviderAccount.objects.get(pk=event.target)
    try:
        claim = mpesa.paybill_claim(event.body.encode())
    except MalformedCallback as exc:
        return _decided(event, accepted=False, code=OTHER_ERROR, note=f"malformed: {exc}")
    if claim.shortcode != account_call_view(account).credentials.get("shortcode"):
        return _decided(event, accepted=False, code=OTHER_ERROR, note="another shortcode")
    payable = payables.payable_open(company_id=account.company_id, reference=claim.account_reference,
                                    now=timezone.now())
    if payable is None:
        return _decided(event, accepted=False, code=INVALID_ACCOUNT, note="no open payable with this reference")
    if payable.currency != "KES" or payable.amount_minor != claim.amount_minor:
        return _decided(event, accepted=False, code=INVALID_AMOUNT,
                        note=f"amount {claim.amount_minor}, payable {payable.amount_minor} {payable.currency}")
    return _decided(event, accepted=True, note=f"payable {payable.subject}")


def _decided(event: ProviderEvent, *, accepted: bool, note: str, code: str = "") -> dict[str, str]:
    ProviderEvent.objects.filter(pk=event.pk).update(
        outcome=ProviderEvent.Outcome.ACCEPTED if accepted else ProviderEvent.Outcome.REJECTED, note=note[:255],
        processed_at=timezone.now())
    if accepted:
        return _mpesa().paybill_validation_answer(accepted=True)
    return _mpesa().paybill_validation_answer(accepted=False, result_code=code)


def confirmation_process(event: ProviderEvent) -> tuple[str, str]:
    mpesa = _mpesa()
    account = ProviderAccount.objects.get(pk=event.target)
    try:
        claim = mpesa.paybill_claim(event.body.encode())
    except MalformedCallback as exc:
        return ProviderEvent.Outcome.MALFORMED, str(exc)
    payable = Payable.objects.filter(company_id=account.company_id,
                                     reference=claim.account_reference.strip().upper()).first()
    fits = payable is not None and payable.currency == "KES" and payable.amount_minor == claim.amount_minor
    now = timezone.now()
    payment = Payment(company_id=account.company_id, account=account, provider="mpesa",
                      subject=payable.subject if fits and payable else "",
                      reference=claim.account_reference[:12], amount_minor=claim.amount_minor, currency="KES",
                      charge_amount_minor=claim.amount_minor, charge_currency="KES", payer=claim.msisdn[:120],
                      initiated_by=Payment.PAYBILL_PAYER, provider_ref=claim.transaction_id,
                      window_ends_at=now + STATUS_WINDOW,
                      next_poll_at=now + timedelta(minutes=2),
                      failure_reason="" if fits else "names no payable of this amount: to be given back")
    try:
        with transaction.atomic():
            transitions.moved(payment, Payment.State.PENDING, actor=Payment.PAYBILL_PAYER, evidence=event)
    except IntegrityError:
        return ProviderEvent.Outcome.DUPLICATE, f"receipt {claim.transaction_id} already received"
    ProviderEvent.objects.filter(pk=event.pk).update(payment=payment)
    status_request(payment)
    return ProviderEvent.Outcome.APPLIED, "confirmation recorded; asked M-Pesa for the transaction's status"


def status_request(payment: Payment) -> str:
    """Ask Daraja about the payment's receipt; the answer comes to this payment's status URL."""
    assert payment.account is not None
    try:
        return _mpesa().transaction_status_request(
            account_call_view(payment.account), transaction_id=payment.provider_ref,
            result_url=callback_urls.url("paybill-status", payment.id))
    except (OutcomeUnknown, Unreachable, ProviderError):
        return ""  # asked again by the poll


def status_result_process(event: ProviderEvent) -> tuple[str, str]:
    try:
        claim = _mpesa().transaction_status_claim(event.body.encode())
    except MalformedCallback as exc:
        return ProviderEvent.Outcome.MALFORMED, str(exc)
    payment_id = UUID(event.target)
    ProviderEvent.objects.filter(pk=event.pk).update(payment_id=payment_id)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return ProviderEvent.Outcome.DUPLICATE, ""
        if claim.result_code != "0" or claim.status != COMPLETED:
            transitions.ended(payment, Payment.State.FAILED, code=claim.result_code or "not_completed",
                              reason=f"M-Pesa does not confirm the receipt: {claim.result_desc or claim.status}",
                              actor="callback:mpesa", evidence=event)
            return ProviderEvent.Outcome.APPLIED, "not confirmed"
        if claim.transaction_id != payment.provider_ref or claim.amount_minor != payment.charge_amount_minor:
            return ProviderEvent.Outcome.MISMATCH, "receipt or amount differ"
        transitions.succeeded(payment, transaction_id=payment.provider_ref, actor="callback:mpesa", evidence=event)
    return ProviderEvent.Outcome.APPLIED, ""
