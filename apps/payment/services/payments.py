"""Collecting a payment: started with the provider outside any transaction, then moved only by what the
provider's status API says (a callback only tells us when to ask).

Never two live pushes for one subject: the pending payment is written (and committed) before the provider is
called, and the database allows one pending payment per subject. A push whose answer was lost stays pending and
is resolved by query (or, where the provider allows, by asking again with the same attempt id).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from apps.payment import callback_urls
from apps.payment.charging import charge_for
from apps.payment.models import Payable, Payment, PaymentAttempt, ProviderEvent
from apps.payment.providers import registry
from apps.payment.providers.base import (
    CallbackClaim,
    ChargeRequest,
    Declined,
    NextAction,
    Outcome,
    OutcomeUnknown,
    PaymentStatus,
    Unreachable,
)
from apps.payment.services import paybill, transitions
from apps.payment.services.accounts import account_call_view, active_account
from transport.errors import Conflict, ServiceUnavailable, ValidationFailed

DESCRIPTION = "Bus ticket"


class PaymentDeclined(ValidationFailed):
    """The provider refused the payment at once (an invalid number, a currency it does not take)."""


def payment_start(*, company_id: UUID, subject: str, provider_id: str, payer_phone: str, return_url: str,
                  cancel_url: str, initiated_by: str) -> Payment:
    """Ask the payer to pay what `subject` owes. Answers the pending payment (with its next action), the one
    already pending for the subject with the same provider and payer, or raises (nothing charged)."""
    provider = registry.provider(provider_id)
    account = active_account(company_id=company_id, provider=provider_id)
    call_account = account_call_view(account)
    now = timezone.now()
    attempt_id = uuid.uuid4()
    try:
        with transaction.atomic():
            payable = Payable.objects.select_for_update().filter(subject=subject, company_id=company_id).first()
            if payable is None or payable.state != Payable.State.OPEN or payable.expires_at <= now:
                raise Conflict("Nothing is payable for this any more.", code="not_payable")
            charge = charge_for(provider=provider, charge_currencies=provider.charge_currencies(call_account),
                                amount_minor=payable.amount_minor, currency=payable.currency,
                                conversion_rates=account.conversion_rates,
                                conversion_currency=account.conversion_currency)
            payment = Payment(
                company_id=company_id, account=account, provider=provider_id, subject=subject,
                reference=payable.reference, amount_minor=payable.amount_minor, currency=payable.currency,
                charge_amount_minor=charge.amount_minor, charge_currency=charge.currency, conversion_rate=charge.rate,
                payer=payer_phone, initiated_by=initiated_by, window_ends_at=now + provider.window,
                next_poll_at=now + provider.first_poll_after,
                provider_ref=str(attempt_id) if provider.ref_is_attempt_id else "",
                next_action=asdict(NextAction(kind=provider.next_action_kind, message="Waiting for the provider.")))
            # the one pending payment per subject is the database's to guard (under the payable's lock too)
            transitions.moved(payment, Payment.State.PENDING, actor=initiated_by)
            attempt = PaymentAttempt.objects.create(id=attempt_id, payment=payment)
    except IntegrityError:
        pending = Payment.objects.filter(subject=subject, state=Payment.State.PENDING).first()
        if pending is not None and pending.provider == provider_id and pending.payer == payer_phone:
            return pending
        raise Conflict("Another payment of this is pending; wait for it or let it expire.",
                       code="payment_pending") from None
    request = ChargeRequest(payment_id=payment.id, attempt_id=attempt.id, reference=payment.reference,
                            description=DESCRIPTION, amount_minor=payment.charge_amount_minor,
                            currency=payment.charge_currency, payer_phone=payer_phone,
                            callback_url=callback_urls.url("payment", payment.id), return_url=return_url,
                            cancel_url=cancel_url)
    try:
        initiated = provider.initiate(call_account, request)
    except Declined as exc:
        _attempt_ended(attempt.id, PaymentAttempt.Outcome.DECLINED, exc)
        _end(payment.id, code=exc.code or "declined", reason=str(exc), actor=f"provider:{provider_id}")
        raise PaymentDeclined(f"{provider.verbose_name} refused the payment: {exc}", code="payment_declined") \
            from None
    except Unreachable as exc:
        _attempt_ended(attempt.id, PaymentAttempt.Outcome.UNREACHABLE, exc)
        _end(payment.id, code="unreachable", reason="The provider could not be reached.", actor="payment")
        raise ServiceUnavailable(f"{provider.verbose_name} cannot be reached; nothing was charged. Try again "
                                 "shortly.", code="provider_unavailable") from None
    except OutcomeUnknown as exc:
        _attempt_ended(attempt.id, PaymentAttempt.Outcome.UNKNOWN, exc)
        return _next_action_set(payment.id, NextAction(
            kind=provider.next_action_kind,
            message="The provider has not answered yet. If you are asked to approve the payment, do; we will "
                    "confirm it with the provider either way."))
    PaymentAttempt.objects.filter(pk=attempt.id).update(outcome=PaymentAttempt.Outcome.INITIATED,
                                                        provider_ref=initiated.provider_ref, finished_at=timezone.now())
    # two plain updates, no lock: a callback may already be moving the payment's state, which these leave alone
    payment.next_action = asdict(initiated.next_action)
    payment.provider_ref = payment.provider_ref or initiated.provider_ref
    Payment.objects.filter(pk=payment.id).update(
        next_action=payment.next_action,
        provider_ref=Case(When(provider_ref="", then=Value(initiated.provider_ref)), default=F("provider_ref")))
    return payment


def _attempt_ended(attempt_id: UUID, outcome: str, exc: Exception) -> None:
    PaymentAttempt.objects.filter(pk=attempt_id).update(
        outcome=outcome, error_code=getattr(exc, "code", "")[:40], error_message=str(exc)[:255],
        finished_at=timezone.now())


def _end(payment_id: UUID, *, code: str, reason: str, actor: str) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state == Payment.State.PENDING:
            transitions.ended(payment, Payment.State.FAILED, code=code, reason=reason, actor=actor)


def _next_action_set(payment_id: UUID, action: NextAction) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        payment.next_action = asdict(action)
        payment.save(update_fields=["next_action"])
    return payment


def status_apply(*, payment_id: UUID, status: PaymentStatus, actor: str,
                 evidence: ProviderEvent | None = None) -> str:
    """Move a payment by the provider's answer; what came of it, as a ProviderEvent outcome."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if status.outcome == Outcome.PENDING:
            return ProviderEvent.Outcome.UNCONFIRMED if evidence else "pending"
        if status.outcome == Outcome.FAILED:
            if payment.state != Payment.State.PENDING:
                return ProviderEvent.Outcome.DUPLICATE
            transitions.ended(payment, Payment.State.FAILED, code=status.reason_code, reason=status.reason,
                              actor=actor, evidence=evidence)
            return ProviderEvent.Outcome.APPLIED
        mismatch = status_mismatch(payment, status)
        if mismatch:
            payment.failure_reason = f"Provider answer did not match: {mismatch}"[:255]
            payment.save(update_fields=["failure_reason"])
            return ProviderEvent.Outcome.MISMATCH
        if payment.state == Payment.State.SUCCEEDED:
            return ProviderEvent.Outcome.DUPLICATE
        transitions.succeeded(payment, transaction_id=status.transaction_id or status.provider_ref, actor=actor,
                              evidence=evidence)
        return ProviderEvent.Outcome.APPLIED


def status_with_claim(status: PaymentStatus, claim: CallbackClaim) -> PaymentStatus:
    """The provider's answer, completed with what a matching callback told (M-Pesa's query names no receipt)."""
    return replace(status, transaction_id=status.transaction_id or claim.transaction_id,
                   amount_minor=status.amount_minor if status.amount_minor is not None else claim.amount_minor,
                   currency=status.currency or claim.currency, payer=status.payer or claim.payer)


def provider_ref_adopt(payment_id: UUID, provider_ref: str) -> None:
    """Our push's answer was lost; the provider named the payment in a callback it then confirmed."""
    with transaction.atomic():
        Payment.objects.filter(pk=payment_id, provider_ref="").update(provider_ref=provider_ref)


def poll_soon(payment_id: UUID) -> None:
    Payment.objects.filter(pk=payment_id, state=Payment.State.PENDING).update(next_poll_at=timezone.now())


def status_mismatch(payment: Payment, status: PaymentStatus | CallbackClaim) -> str:
    """Why a provider's answer, or what a callback claims, does not fit our payment ("" when it does)."""
    if payment.provider_ref and status.provider_ref and status.provider_ref != payment.provider_ref:
        return "reference"
    if isinstance(status, CallbackClaim) and status.external_id and status.external_id != str(payment.id):
        return "reference"
    if status.amount_minor is not None and status.amount_minor != payment.charge_amount_minor:
        return "amount"
    if status.currency is not None and status.currency != payment.charge_currency:
        return "currency"
    if status.payer and payment.payer and payment.provider != "paypal" and \
            _digits(status.payer) != _digits(payment.payer):
        return "payer"
    return ""


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def poll_one(payment_id: UUID, *, now: datetime | None = None) -> str:
    """Ask the provider where a pending payment stands and apply it; expire it once its window has passed."""
    now = now or timezone.now()
    payment = Payment.objects.select_related("account").get(pk=payment_id)
    if payment.state != Payment.State.PENDING or payment.account is None:
        return "settled"
    provider = registry.provider(payment.provider)
    account = account_call_view(payment.account)
    attempt = payment.attempts.order_by("-started_at").first()
    if attempt is None:
        return "no attempt"
    window_over = payment.window_ends_at is not None and now >= payment.window_ends_at
    if payment.initiated_by == Payment.PAYBILL_PAYER:
        return _paybill_poll(payment, now=now, window_over=window_over)
    if not payment.provider_ref:
        if provider.initiate_is_idempotent and not window_over:
            return _initiate_again(payment, attempt)
        if window_over:
            _expire(payment.id, reason="No answer from the provider within its window.")
            return "expired"
        _poll_later(payment.id, now=now)
        return "waiting"
    try:
        status = provider.status(account, provider_ref=payment.provider_ref, attempt_id=attempt.id)
    except (OutcomeUnknown, Unreachable):
        _poll_later(payment.id, now=now)
        return "unanswered"
    outcome = status_apply(payment_id=payment.id, status=status, actor=f"poll:{payment.provider}")
    if outcome in ("pending", ProviderEvent.Outcome.UNCONFIRMED):
        if window_over:
            _expire(payment.id, reason="Still pending at the provider when its window closed.")
            return "expired"
        _poll_later(payment.id, now=now)
    return str(outcome)


def _paybill_poll(payment: Payment, *, now: datetime, window_over: bool) -> str:
    """A Paybill payment waits for its transaction status result: asked again, or given up after its window."""
    if window_over:
        _expire(payment.id, reason="M-Pesa never confirmed this Paybill receipt.")
        return "expired"
    paybill.status_request(payment)
    _poll_later(payment.id, now=now)
    return "asked again"


def _initiate_again(payment: Payment, attempt: PaymentAttempt) -> str:
    provider = registry.provider(payment.provider)
    assert payment.account is not None
    request = ChargeRequest(payment_id=payment.id, attempt_id=attempt.id, reference=payment.reference,
                            description=DESCRIPTION, amount_minor=payment.charge_amount_minor,
                            currency=payment.charge_currency, payer_phone=payment.payer,
                            callback_url=callback_urls.url("payment", payment.id))
    try:
        initiated = provider.initiate(account_call_view(payment.account), request)
    except (OutcomeUnknown, Unreachable):
        _poll_later(payment.id, now=timezone.now())
        return "unanswered"
    except Declined as exc:
        _end(payment.id, code=exc.code or "declined", reason=str(exc), actor=f"provider:{payment.provider}")
        return "failed"
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.id)
        locked.provider_ref = initiated.provider_ref
        locked.next_action = asdict(initiated.next_action)
        locked.save(update_fields=["provider_ref", "next_action"])
    return "recovered"


def _poll_later(payment_id: UUID, *, now: datetime) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return
        backoff = min(settings.PAYMENT_POLL_MAX_BACKOFF_SECONDS, 15 * 2 ** min(payment.polls, 10))
        payment.polls += 1
        payment.next_poll_at = now + timedelta(seconds=backoff)
        if payment.window_ends_at is not None:
            payment.next_poll_at = min(payment.next_poll_at, max(payment.window_ends_at, now))
        payment.save(update_fields=["polls", "next_poll_at"])


def _expire(payment_id: UUID, *, reason: str) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state == Payment.State.PENDING:
            transitions.ended(payment, Payment.State.EXPIRED, code="expired", reason=reason, actor="poll")


def due_for_poll(*, now: datetime, limit: int = 200) -> list[UUID]:
    return list(Payment.objects.filter(state=Payment.State.PENDING, next_poll_at__lte=now)
                .order_by("next_poll_at").values_list("id", flat=True)[:limit])



CHECK_INTERVAL_SECONDS = 5


def check_now(payment_id: UUID) -> str:
    """A payer's "I approved it": ask the provider at once, at most once every few seconds per payment."""
    if not cache.add(f"payment-check:{payment_id}", 1, timeout=CHECK_INTERVAL_SECONDS):
        return "checked recently"
    return poll_one(payment_id)
