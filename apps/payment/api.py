"""The published interface of payment: keyword-only functions returning frozen dataclasses.

Payment knows nothing of what is sold. A seller registers what may be paid under a `subject` of its own
("booking:<uuid>") with `payable_register`, starts payments of it for a payer with `payment_start`, records cash
with `cash_record`, asks for money back with `refund_request`, and listens to payment_succeeded / payment_failed
/ refund_completed / refund_failed (apps/payment/signals.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction

from apps.payment import permissions, tasks
from apps.payment.models import Payment, ProviderAccount, Refund
from apps.payment.providers import registry
from apps.payment.reporting import reporting_views as reporting_views  # published: its views for questions
from apps.payment.services import cash, history, payables, payments, refunds
from apps.payment.services.accounts import account_call_view
from transport.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from transport.principal import Principal, PrincipalKind

# the permissions a seller's principals need for cash_record and refund_request
COLLECT_CASH = permissions.COLLECT_CASH
REQUEST_REFUNDS = permissions.REQUEST_REFUNDS


@dataclass(frozen=True)
class NextActionView:
    kind: str  # "approve_on_phone", "redirect", or "none" once settled
    message: str
    url: str


@dataclass(frozen=True)
class PaymentView:
    id: UUID
    company_id: UUID
    subject: str
    provider: str
    state: str  # pending, succeeded, failed, expired
    amount_minor: int
    currency: str
    charge_amount_minor: int
    charge_currency: str
    conversion_rate: str
    reference: str
    payer: str
    next_action: NextActionView
    failure_code: str
    failure_reason: str
    created_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True)
class RefundView:
    id: UUID
    payment_id: UUID
    key: str
    state: str
    amount_minor: int
    currency: str
    failure_code: str


@dataclass(frozen=True)
class ProviderOption:
    provider: str
    name: str
    environment: str
    currencies: tuple[str, ...]  # what it charges in; others only at the company's recorded rate
    converts: tuple[str, ...]  # currencies the company set a rate for


def actor_of(principal: Principal) -> str:
    """Who acted, as payment records it: "user:<id>", "device:<id>", "system:<name>"."""
    if principal.kind is PrincipalKind.USER:
        return f"user:{principal.user_id or principal.id}"
    return f"{principal.kind}:{principal.id}"[:80]


def _authenticated(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise NotAuthenticated()


def payable_register(*, principal: Principal, company_id: UUID, subject: str, amount_minor: int, currency: str,
                     expires_at: datetime) -> str:
    """Say that `subject` may be paid until `expires_at`; its reference (the Paybill account number)."""
    _authenticated(principal)
    return payables.payable_register(company_id=company_id, subject=subject, amount_minor=amount_minor,
                                     currency=currency, expires_at=expires_at).reference


def payable_extend(*, principal: Principal, subject: str, expires_at: datetime) -> None:
    _authenticated(principal)
    payables.payable_extend(subject=subject, expires_at=expires_at)


def payable_withdraw(*, principal: Principal, subjects: list[str]) -> None:
    """Nothing more is expected for these subjects (cancelled, lapsed, paid otherwise)."""
    _authenticated(principal)
    payables.payable_withdraw(subjects=subjects)


def providers_available(*, company_id: UUID) -> list[ProviderOption]:
    """The providers a company takes payments with (no credential is read)."""
    options = []
    for account in ProviderAccount.objects.filter(company_id=company_id, active=True).order_by("provider"):
        provider = registry.provider(account.provider)
        options.append(ProviderOption(provider=account.provider, name=provider.verbose_name,
                                      environment=account.environment,
                                      currencies=tuple(sorted(provider.charge_currencies(
                                          account_call_view(account)))),
                                      converts=tuple(sorted(account.conversion_rates))))
    return options


def payment_start(*, principal: Principal, company_id: UUID, subject: str, provider: str, payer_phone: str = "",
                  return_url: str = "", cancel_url: str = "") -> PaymentView:
    """Ask the payer to pay the subject's payable with `provider`. The caller decided the principal may pay it.
    Raises ValidationFailed (payment_declined, currency_not_supported, amount_not_chargeable,
    provider_not_available), Conflict (not_payable, payment_pending), ServiceUnavailable (provider_unavailable)."""
    _authenticated(principal)
    if provider not in registry.identifiers():
        raise ValidationFailed(f"Unknown provider {provider!r}.", code="provider_not_available")
    payment = payments.payment_start(company_id=company_id, subject=subject, provider_id=provider,
                                     payer_phone=payer_phone, return_url=return_url, cancel_url=cancel_url,
                                     initiated_by=actor_of(principal))
    return payment_view(payment)


def payments_of(*, principal: Principal, subject: str, company_id: UUID) -> list[PaymentView]:
    """The subject's payments, newest first: every one for the company's payment staff, the ones they started for
    anyone else (the caller decided they may see the subject)."""
    _authenticated(principal)
    rows = Payment.objects.filter(subject=subject, company_id=company_id)
    if not principal.has(permissions.VIEW_PAYMENTS, company_id=company_id):
        rows = rows.filter(initiated_by=actor_of(principal))
    return [payment_view(p) for p in rows.order_by("-created_at")]


def payment_get(*, principal: Principal, payment_id: UUID) -> PaymentView:
    """A payment for whoever started it or the company's payment staff; NotFound for anyone else."""
    _authenticated(principal)
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not (payment.initiated_by == actor_of(principal)
                               or principal.has(permissions.VIEW_PAYMENTS, company_id=payment.company_id)):
        raise NotFound("No such payment.")
    return payment_view(payment)


def cash_record(*, principal: Principal, company_id: UUID, subject: str, amount_minor: int, currency: str) -> UUID:
    """Cash the principal (an agent, a POS device) took for `subject`: in the same ledger, the collector named."""
    principal.require(permissions.COLLECT_CASH, company_id=company_id)
    return cash.cash_record(company_id=company_id, subject=subject, amount_minor=amount_minor, currency=currency,
                            collector=actor_of(principal)).id


# a seller's past payments and refunds, as history_record takes them
PastPayable = history.PastPayable
PastPayment = history.PastPayment
PastRefund = history.PastRefund


def history_record(*, principal: Principal, company_id: UUID, payables: Sequence[PastPayable],
                   payments: Sequence[PastPayment], refunds: Sequence[PastRefund]) -> dict[str, str]:
    """Record payments and refunds that happened before (a demo company's operating history), in bulk, at their
    own times: no provider is asked and nothing is announced. Answers each payable's reference by subject.
    Only for the platform's own seeding: a system principal holding payment.collect_cash and
    payment.request_refunds (a person or device, whatever it holds, is refused: money no provider took)."""
    if principal.kind is not PrincipalKind.SYSTEM:
        raise PermissionDenied("Past payments are recorded by the platform's seeding only.")
    principal.require(permissions.COLLECT_CASH, company_id=company_id)
    principal.require(permissions.REQUEST_REFUNDS, company_id=company_id)
    return history.history_record(company_id=company_id, payables=payables, payments=payments, refunds=refunds)


def refund_request(*, principal: Principal, company_id: UUID, subject: str, key: str, reason: str,
                   amount_minor: int | None = None, payment_id: UUID | None = None) -> RefundView | None:
    """Give back `amount_minor` (None: all that is left) of what was paid for `subject` (or of `payment_id`),
    once per `key`. Call it in your transaction: the provider is asked after it commits. None when nothing was
    paid. The outcome is announced as refund_completed or refund_failed."""
    principal.require(permissions.REQUEST_REFUNDS, company_id=company_id)
    refund = refunds.refund_request(subject=subject, key=key, amount_minor=amount_minor, reason=reason,
                                    requested_by=actor_of(principal), payment_id=payment_id)
    if refund is None:
        return None
    if refund.company_id != company_id:
        raise NotFound("No such payment.")
    if refund.state == Refund.State.REQUESTED:
        refund_id = str(refund.id)
        transaction.on_commit(lambda: tasks.send_quietly(tasks.send_refund, refund_id))
    return refund_view(refund)


def payment_view(payment: Payment) -> PaymentView:
    action = payment.next_action if payment.state == Payment.State.PENDING else {}
    return PaymentView(
        id=payment.id, company_id=payment.company_id, subject=payment.subject, provider=payment.provider,
        state=payment.state, amount_minor=payment.amount_minor, currency=payment.currency,
        charge_amount_minor=payment.charge_amount_minor, charge_currency=payment.charge_currency,
        conversion_rate=payment.conversion_rate, reference=payment.reference, payer=payment.payer,
        next_action=NextActionView(kind=action.get("kind", "none"), message=action.get("message", ""),
                                   url=action.get("url", "")),
        failure_code=payment.failure_code, failure_reason=payment.failure_reason, created_at=payment.created_at,
        settled_at=payment.settled_at)


def refund_view(refund: Refund) -> RefundView:
    return RefundView(id=refund.id, payment_id=refund.payment_id, key=refund.key, state=refund.state,
                      amount_minor=refund.amount_minor, currency=refund.currency, failure_code=refund.failure_code)
