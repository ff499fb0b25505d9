"""Giving money back. A refund is written first (one per requester's key), sent to the provider after the
requester's transaction commits, and settled only by what the provider says: its result callback, confirmed
by its status API where the provider has one, or the poll."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.payment import callback_urls, signals
from apps.payment.charging import converted_minor
from apps.payment.models import Payment, Provider, ProviderEvent, Refund
from apps.payment.providers import registry
from apps.payment.providers.base import Declined, Outcome, OutcomeUnknown, RefundRequest, RefundStatus, Unreachable
from apps.payment.services import ledger
from apps.payment.services.accounts import account_call_view
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.events import publish

REFUND_POLL_SECONDS = 60
LIVE = (Refund.State.REQUESTED, Refund.State.PENDING, Refund.State.AWAITING_CASH, Refund.State.SUCCEEDED)


@transaction.atomic
def refund_request(*, subject: str, key: str, amount_minor: int | None, reason: str, requested_by: str,
                   payment_id: UUID | None = None) -> Refund | None:
    """Ask for `amount_minor` (None: all that is left) of the subject's paid money back, once per `key`.

    Call it in the requester's transaction, and have the provider asked after it commits (api.refund_request
    does; the poll sends any whose sending was lost). None when nothing was paid for the subject."""
    existing = Refund.objects.filter(key=key).first()
    if existing is not None:
        return existing
    payments = Payment.objects.select_for_update().filter(state=Payment.State.SUCCEEDED)
    payments = payments.filter(pk=payment_id) if payment_id else payments.filter(subject=subject)
    payment = next((p for p in payments.order_by("settled_at") if refundable_left(p) > 0), None)
    if payment is None:
        return None
    left = refundable_left(payment)
    amount = left if amount_minor is None else amount_minor
    if amount <= 0:
        return None
    if amount > left:
        raise ValidationFailed(f"At most {left} {payment.currency} is left to refund.", code="refund_exceeds_payment")
    refund = Refund.objects.create(
        company_id=payment.company_id, payment=payment, key=key, amount_minor=amount, currency=payment.currency,
        charge_amount_minor=_charge_part(payment, amount, left), reason=reason[:120], requested_by=requested_by,
        state=Refund.State.AWAITING_CASH if payment.provider == Provider.CASH else Refund.State.REQUESTED)
    return refund


def refundable_left(payment: Payment) -> int:
    given = payment.refunds.filter(state__in=LIVE).aggregate(total=Sum("amount_minor"))["total"] or 0
    return payment.amount_minor - int(given)


def _charge_part(payment: Payment, amount: int, left: int) -> int:
    """The refund in the charge currency: all that is left of the charge when all that is owed is refunded,
    else at the payment's rate, rounded down (never more than was charged)."""
    if not payment.conversion_rate:
        return amount
    if amount == left:
        given = payment.refunds.filter(state__in=LIVE).aggregate(total=Sum("charge_amount_minor"))["total"] or 0
        return payment.charge_amount_minor - int(given)
    return converted_minor(amount_minor=amount, currency=payment.currency, rate=payment.conversion_rate,
                           target=payment.charge_currency, up=False)


def refund_send(refund_id: UUID) -> str:
    """Ask the provider for a requested refund, once: the attempt is counted before the call, and a refund whose
    answer was lost waits for its result instead of being sent again (M-Pesa has no idempotency key)."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update(of=("self",)).select_related("payment__account").get(pk=refund_id)
        if refund.state != Refund.State.REQUESTED:
            return str(refund.state)
        provider = registry.provider(refund.payment.provider)
        if refund.attempts and not provider.initiate_is_idempotent:
            return "sent before"
        refund.attempts += 1
        refund.save(update_fields=["attempts"])
    payment = refund.payment
    assert payment.account is not None
    request = RefundRequest(refund_id=refund.id, provider_ref=payment.provider_ref,
                            transaction_id=payment.transaction_id, amount_minor=refund.charge_amount_minor,
                            currency=payment.charge_currency, payer=payment.payer,
                            result_url=callback_urls.url("refund", refund.id))
    try:
        status = provider.refund(account_call_view(payment.account), request)
    except Declined as exc:
        return refund_status_apply(refund_id=refund.id, actor="provider", status=RefundStatus(
            outcome=Outcome.FAILED, provider_ref="", reason_code=exc.code or "declined", reason=str(exc)))
    except (OutcomeUnknown, Unreachable) as exc:
        with transaction.atomic():
            refund = Refund.objects.select_for_update().get(pk=refund_id)
            if isinstance(exc, OutcomeUnknown) or not provider.initiate_is_idempotent:
                refund.state = Refund.State.PENDING  # it may have got through: its result or the poll decides
            refund.next_poll_at = timezone.now() + timedelta(seconds=REFUND_POLL_SECONDS)
            refund.save(update_fields=["state", "next_poll_at"])
        return "unanswered"
    return refund_status_apply(refund_id=refund.id, status=status, actor=f"provider:{payment.provider}")


def refund_status_apply(*, refund_id: UUID, status: RefundStatus, actor: str,
                        evidence: ProviderEvent | None = None) -> str:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if status.provider_ref and not refund.provider_ref:
            refund.provider_ref = status.provider_ref
        if refund.state in (Refund.State.SUCCEEDED, Refund.State.FAILED):
            return ProviderEvent.Outcome.DUPLICATE
        if status.outcome == Outcome.PENDING:
            refund.state = Refund.State.PENDING
            refund.next_poll_at = timezone.now() + timedelta(seconds=REFUND_POLL_SECONDS)
            refund.save(update_fields=["state", "provider_ref", "next_poll_at"])
            return ProviderEvent.Outcome.UNCONFIRMED if evidence else "pending"
        if status.outcome == Outcome.SUCCEEDED:
            _succeeded(refund, transaction_id=status.transaction_id or status.provider_ref or str(refund.id))
        else:
            _failed(refund, code=status.reason_code, reason=status.reason)
        return ProviderEvent.Outcome.APPLIED


def refund_cash_paid(*, refund_id: UUID, company_id: UUID, collector: str) -> Refund:
    """The counter paid a cash refund back."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").filter(
            pk=refund_id, company_id=company_id).first()
        if refund is None:
            raise NotFound("No such refund.")
        if refund.state != Refund.State.AWAITING_CASH:
            raise Conflict(f"A {refund.state} refund cannot be paid out in cash.", code="refund_not_cash")
        _succeeded(refund, transaction_id=f"cash-refund:{refund.id}", collector=collector)
    return refund


def _succeeded(refund: Refund, *, transaction_id: str, collector: str = "") -> None:
    refund.state = Refund.State.SUCCEEDED
    refund.transaction_id = transaction_id[:80]
    refund.settled_at = timezone.now()
    refund.next_poll_at = None
    refund.save()
    ledger.refund_debit(refund=refund, provider_txn=refund.transaction_id, collector=collector)
    payment = refund.payment
    publish(signals.refund_completed, signals.RefundCompleted(
        refund_id=str(refund.id), payment_id=str(payment.id), company_id=str(refund.company_id),
        subject=payment.subject, key=refund.key, provider=payment.provider, amount_minor=refund.amount_minor,
        currency=refund.currency))


def _failed(refund: Refund, *, code: str, reason: str) -> None:
    refund.state = Refund.State.FAILED
    refund.failure_code = code[:40]
    refund.failure_reason = reason[:255]
    refund.settled_at = timezone.now()
    refund.next_poll_at = None
    refund.save()
    payment = refund.payment
    publish(signals.refund_failed, signals.RefundFailed(
        refund_id=str(refund.id), payment_id=str(payment.id), company_id=str(refund.company_id),
        subject=payment.subject, key=refund.key, provider=payment.provider, amount_minor=refund.amount_minor,
        currency=refund.currency, reason_code=code, reason=reason))


def refund_poll_one(refund_id: UUID) -> str:
    refund = Refund.objects.select_related("payment__account").get(pk=refund_id)
    if refund.state == Refund.State.REQUESTED:
        return refund_send(refund.id)
    if refund.state != Refund.State.PENDING or refund.payment.account is None:
        return str(refund.state)
    provider = registry.provider(refund.payment.provider)
    try:
        status = provider.refund_status(account_call_view(refund.payment.account), provider_ref=refund.provider_ref,
                                        refund_id=refund.id)
    except (OutcomeUnknown, Unreachable):
        status = RefundStatus(outcome=Outcome.PENDING, provider_ref=refund.provider_ref)
    return refund_status_apply(refund_id=refund.id, status=status, actor=f"poll:{refund.payment.provider}")


def refunds_due(*, now: datetime, limit: int = 200) -> list[UUID]:
    """Pending refunds due a status query, and requested ones whose sending did not happen (the broker was down)."""
    stale = now - timedelta(seconds=REFUND_POLL_SECONDS)
    due = Q(state=Refund.State.PENDING, next_poll_at__lte=now) | Q(state=Refund.State.REQUESTED, created_at__lte=stale)
    return list(Refund.objects.filter(due).order_by("created_at").values_list("id", flat=True)[:limit])
