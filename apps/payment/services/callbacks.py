"""Callbacks and webhooks: stored as they arrived before anything else, then processed once.

A callback is evidence, not truth. Processing checks the secret in its path (or PayPal's signature, through
PayPal's verification endpoint), that it names one of our payments or refunds, that what it claims matches ours,
and then asks the provider's status API; only that answer moves anything. Whatever the outcome, it is recorded
on the stored event.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.payment import callback_urls
from apps.payment.models import Payment, ProviderAccount, ProviderEvent, Refund
from apps.payment.providers import registry
from apps.payment.providers.base import (
    CallbackClaim,
    ClaimKind,
    MalformedCallback,
    Outcome,
    OutcomeUnknown,
    RefundStatus,
    Unreachable,
)
from apps.payment.services import paybill, payments, refunds
from apps.payment.services.accounts import account_call_view

# headers worth keeping with a stored callback (never Authorization or cookies)
KEPT_HEADERS = ("content-type", "user-agent", "x-forwarded-for", "x-real-ip", "paypal-auth-algo", "paypal-cert-url",
                "paypal-transmission-id", "paypal-transmission-sig", "paypal-transmission-time")
# purposes whose target is a payment, a refund, or a provider account
PAYMENT_PURPOSES = ("payment", "paybill-status")
REFUND_PURPOSES = ("refund",)
ACCOUNT_PURPOSES = ("paypal-webhook", "paybill-validation", "paybill-confirmation")
PURPOSES = (*PAYMENT_PURPOSES, *REFUND_PURPOSES, *ACCOUNT_PURPOSES)


def event_store(*, purpose: str, target: UUID, secret: str, body: bytes,
                headers: Mapping[str, str]) -> ProviderEvent:
    """Keep the callback as it arrived, in its own transaction, before anything reads it. `headers`: lower-case
    names."""
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    company_id, provider = _owner_of(purpose, target)
    event = ProviderEvent(provider=provider, kind=purpose, target=str(target), headers=kept,
                          body=body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
                          secret_ok=callback_urls.secret_ok(purpose, target, secret), company_id=company_id)
    if not event.secret_ok:
        event.outcome = ProviderEvent.Outcome.SPOOFED
        event.note = "wrong secret in the path"
        event.processed_at = timezone.now()
    elif event.company_id is None:
        event.outcome = ProviderEvent.Outcome.UNKNOWN
        event.note = "names nothing we know"
        event.processed_at = timezone.now()
    with transaction.atomic():
        event.save()
    return event


def _owner_of(purpose: str, target: UUID) -> tuple[UUID | None, str]:
    """The company and provider of what the path names; (None, "") for nothing of ours."""
    if purpose in PAYMENT_PURPOSES:
        found = Payment.objects.filter(pk=target).values_list("company_id", "provider").first()
    elif purpose in REFUND_PURPOSES:
        found = Refund.objects.filter(pk=target).values_list("company_id", "payment__provider").first()
    else:
        found = ProviderAccount.objects.filter(pk=target).values_list("company_id", "provider").first()
    return found if found is not None else (None, "")


def event_process(event_id: int) -> str:
    """Process a stored callback once; its outcome. Safe to call again: a processed event is left alone."""
    event = ProviderEvent.objects.get(pk=event_id)
    if event.outcome != ProviderEvent.Outcome.RECEIVED:
        return str(event.outcome)
    if event.kind in PAYBILL_PROCESSORS:
        try:
            outcome, note = PAYBILL_PROCESSORS[event.kind](event)
        except (OutcomeUnknown, Unreachable) as exc:
            return f"status unanswered: {type(exc).__name__}"
        return _settle(event, outcome, note=note)
    provider = registry.provider(event.provider)
    try:
        body = event.body.encode()
        claim = provider.refund_callback_claim(body) if event.kind in REFUND_PURPOSES else provider.callback_claim(body)
    except MalformedCallback as exc:
        return _settle(event, ProviderEvent.Outcome.MALFORMED, note=str(exc))
    target = UUID(event.target)
    try:
        if event.kind in PAYMENT_PURPOSES:
            outcome, note = _payment_callback(event, claim, payment_id=target)
        elif event.kind in REFUND_PURPOSES:
            outcome, note = _refund_callback(event, claim, refund_id=target)
        else:
            outcome, note = _webhook(event, claim, account_id=target)
    except (OutcomeUnknown, Unreachable) as exc:
        # the provider's status API did not answer: leave it received, the sweep processes it again
        return f"status unanswered: {type(exc).__name__}"
    return _settle(event, outcome, note=note)


PAYBILL_PROCESSORS = {"paybill-confirmation": paybill.confirmation_process,
                      "paybill-status": paybill.status_result_process}


def _settle(event: ProviderEvent, outcome: str, *, note: str = "") -> str:
    """Record what came of the event; the first processing to finish decides (a concurrent one answers that)."""
    if ProviderEvent.objects.filter(pk=event.pk, outcome=ProviderEvent.Outcome.RECEIVED).update(
            outcome=outcome, note=note[:255], processed_at=timezone.now()):
        return outcome
    return str(ProviderEvent.objects.values_list("outcome", flat=True).get(pk=event.pk))


def _payment_callback(event: ProviderEvent, claim: CallbackClaim, *, payment_id: UUID) -> tuple[str, str]:
    payment = Payment.objects.select_related("account").get(pk=payment_id)
    ProviderEvent.objects.filter(pk=event.pk).update(payment=payment)
    if claim.kind != ClaimKind.PAYMENT:
        return ProviderEvent.Outcome.MALFORMED, "not a payment callback"
    mismatch = payments.status_mismatch(payment, claim)
    if mismatch:
        return ProviderEvent.Outcome.MISMATCH, f"claims another {mismatch}"
    provider_ref = payment.provider_ref or claim.provider_ref
    if not provider_ref or payment.account is None:
        return ProviderEvent.Outcome.UNKNOWN, "no provider reference to confirm it with"
    # our push's answer was lost: the provider's reference is confirmed by its own status API below
    if not payment.provider_ref and Payment.objects.filter(provider=payment.provider,
                                                           provider_ref=provider_ref).exists():
        return ProviderEvent.Outcome.MISMATCH, "reference of another payment"
    attempt = payment.attempts.order_by("-started_at").first()
    assert attempt is not None
    status = registry.provider(payment.provider).status(
        account_call_view(payment.account), provider_ref=provider_ref, attempt_id=attempt.id)
    if claim.outcome == Outcome.SUCCEEDED and status.outcome != Outcome.SUCCEEDED:
        # not fulfilled on its word; a pending one is asked again soon, a failed one is settled by the poll
        payments.poll_soon(payment.id)
        return ProviderEvent.Outcome.UNCONFIRMED, f"claims {claim.outcome}, the provider says {status.outcome}"
    if not payment.provider_ref:
        payments.provider_ref_adopt(payment.id, provider_ref)
    status = payments.status_with_claim(status, claim)
    return payments.status_apply(payment_id=payment.id, status=status, actor=f"callback:{payment.provider}",
                                 evidence=event), ""


def _refund_callback(event: ProviderEvent, claim: CallbackClaim, *, refund_id: UUID) -> tuple[str, str]:
    refund = Refund.objects.select_related("payment__account").get(pk=refund_id)
    ProviderEvent.objects.filter(pk=event.pk).update(refund=refund)
    if claim.kind != ClaimKind.REFUND:
        return ProviderEvent.Outcome.MALFORMED, "not a refund callback"
    if (refund.provider_ref and claim.provider_ref and claim.provider_ref != refund.provider_ref) or \
            (claim.external_id and claim.external_id != str(refund.id)):
        return ProviderEvent.Outcome.MISMATCH, "claims another refund"
    return _refund_confirmed(event, refund, claim)


def _refund_confirmed(event: ProviderEvent, refund: Refund, claim: CallbackClaim) -> tuple[str, str]:
    assert refund.payment.account is not None
    provider = registry.provider(refund.payment.provider)
    if provider.refunds_confirmed_by_query:
        status = provider.refund_status(account_call_view(refund.payment.account),
                                        provider_ref=refund.provider_ref or claim.provider_ref, refund_id=refund.id)
    else:
        # M-Pesa has no query for a reversal: its result, at the secret URL we gave for this refund, is all there is
        status = RefundStatus(outcome=claim.outcome or Outcome.PENDING, provider_ref=claim.provider_ref,
                              transaction_id=claim.transaction_id)
    if claim.outcome == Outcome.SUCCEEDED and status.outcome != Outcome.SUCCEEDED:
        return ProviderEvent.Outcome.UNCONFIRMED, f"claims {claim.outcome}, the provider says {status.outcome}"
    return refunds.refund_status_apply(refund_id=refund.id, status=status, actor=f"callback:{refund.payment.provider}",
                                       evidence=event), ""


def _webhook(event: ProviderEvent, claim: CallbackClaim, *, account_id: UUID) -> tuple[str, str]:
    """A signed webhook (PayPal): verified with the provider, deduplicated on its id, then confirmed like any
    callback through the status API of what it names."""
    account = ProviderAccount.objects.get(pk=account_id)
    provider = registry.provider(account.provider)
    if not provider.webhook_verified(account_call_view(account), headers=event.headers, body=event.body.encode()):
        return ProviderEvent.Outcome.SPOOFED, "signature not verified by the provider"
    if claim.event_id:
        try:
            with transaction.atomic():
                ProviderEvent.objects.filter(pk=event.pk).update(event_id=claim.event_id[:120])
        except IntegrityError:
            return ProviderEvent.Outcome.DUPLICATE, f"event {claim.event_id} already received"
    if claim.kind == ClaimKind.REFUND:
        refund = Refund.objects.select_related("payment__account").filter(
            payment__account=account, provider_ref=claim.provider_ref).first()
        if refund is None:
            return ProviderEvent.Outcome.UNKNOWN, "names no refund of ours"
        ProviderEvent.objects.filter(pk=event.pk).update(refund=refund)
        return _refund_confirmed(event, refund, claim)
    payment = Payment.objects.filter(account=account, provider_ref=claim.provider_ref).first()
    if payment is None:
        return ProviderEvent.Outcome.UNKNOWN, "names no payment of ours"
    return _payment_callback(event, claim, payment_id=payment.id)
