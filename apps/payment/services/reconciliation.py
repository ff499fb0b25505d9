"""Reconciliation: an account's day of payments, our ledger against what the provider's status API says.

It only observes. Every disagreement becomes (or updates) a ReconciliationItem for someone to look into; a
pending payment is still settled by the poll (or the admin's "Ask the provider now"), and an item is resolved
once a later check finds both sides agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.company import api as company_api
from apps.payment.models import (
    LedgerEntry,
    Payment,
    PaymentAttempt,
    ProviderAccount,
    ReconciliationItem,
    ReconciliationRun,
)
from apps.payment.providers import registry
from apps.payment.providers.base import Account, Outcome, OutcomeUnknown, PaymentProvider, Unreachable
from apps.payment.services.accounts import account_call_view
from transport.money import to_text

CREDITED = "credited"
NOT_CREDITED = "not_credited"
# provider states besides the Outcome values
UNANSWERED = "unanswered"  # the status query got no usable answer
NO_REFERENCE = "no_reference"  # the provider never named the payment: there is nothing to ask about


@dataclass(frozen=True)
class LedgerSide:
    credited: bool
    amount_minor: int  # the charge credited, 0 when none
    currency: str


@dataclass(frozen=True)
class ProviderSide:
    state: str  # an Outcome value, UNANSWERED or NO_REFERENCE
    amount_minor: int | None  # what the provider says was paid, when it says
    currency: str | None


@dataclass(frozen=True)
class Check:
    payment: Payment
    ledger: LedgerSide
    provider: ProviderSide
    reason: str  # why the sides disagree; "" when they agree


def disagreement(ledger: LedgerSide, provider: ProviderSide) -> str:
    """Why the ledger and the provider disagree about a payment ("" when they agree)."""
    if provider.state == UNANSWERED:
        return "The provider did not answer the status query."
    succeeded = provider.state == Outcome.SUCCEEDED
    if ledger.credited and not succeeded:
        return f"The ledger holds a credit; the provider says {provider.state}."
    if succeeded and not ledger.credited:
        return "The provider says the payment succeeded; the ledger holds no credit."
    if not ledger.credited:
        return ""
    if provider.currency is not None and provider.currency != ledger.currency:
        return f"The ledger credited {ledger.currency}; the provider took {provider.currency}."
    if provider.amount_minor is not None and provider.amount_minor != ledger.amount_minor:
        return (f"The ledger credited {to_text(ledger.amount_minor, ledger.currency)} {ledger.currency}; the "
                f"provider took {to_text(provider.amount_minor, ledger.currency)}.")
    return ""


def day_bounds(*, company_id: UUID, day: date) -> tuple[datetime, datetime]:
    """The company's local day as an aware [start, end) range."""
    zone = ZoneInfo(company_api.company_settings(company_id=company_id).timezone)
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(day + timedelta(days=1), time.min,
                                                                          tzinfo=zone)


def yesterday(*, company_id: UUID, now: datetime | None = None) -> date:
    """The day before today in the company's timezone."""
    zone = ZoneInfo(company_api.company_settings(company_id=company_id).timezone)
    return (now or timezone.now()).astimezone(zone).date() - timedelta(days=1)


def account_day_reconcile(*, account_id: UUID, day: date, started_by: str) -> ReconciliationRun:
    """Compare every payment the account asked for on `day` (the company's local day) with the provider's
    answer."""
    account = ProviderAccount.objects.get(pk=account_id)
    start, end = day_bounds(company_id=account.company_id, day=day)
    # only payments we asked for: one the payer made unprompted (M-Pesa Paybill) has no status query to ask, and
    # was credited only on the answer of M-Pesa's transaction status API
    asked = Exists(PaymentAttempt.objects.filter(payment=OuterRef("pk")))
    payments = list(Payment.objects.filter(asked, account=account, created_at__gte=start, created_at__lt=end)
                    .order_by("created_at", "id"))
    checks: list[Check] = []
    if payments:  # the provider is asked outside any transaction; what it said is written at once, below
        provider, call_account = registry.provider(account.provider), account_call_view(account)
        checks = [_check(payment, provider, call_account) for payment in payments]
    with transaction.atomic():
        ProviderAccount.objects.select_for_update().get(pk=account.pk)  # one run of an account at a time
        for check in checks:
            _record(check, account=account, day=day)
        return ReconciliationRun.objects.create(
            company_id=account.company_id, account=account, day=day, checked=len(checks),
            mismatches=sum(1 for check in checks if check.reason),
            ledger_total_minor=sum(check.ledger.amount_minor for check in checks),
            provider_total_minor=sum(_provider_paid(check) for check in checks), started_by=started_by[:80])


def item_requery(*, item_id: int) -> ReconciliationItem:
    """Ask the provider again about an item's payment; resolved when the ledger and the provider now agree."""
    item = ReconciliationItem.objects.select_related("account", "payment").get(pk=item_id)
    provider = registry.provider(item.account.provider)
    check = _check(item.payment, provider, account_call_view(item.account))
    with transaction.atomic():
        _record(check, account=item.account, day=item.day)
    item.refresh_from_db()
    return item


def _check(payment: Payment, provider: PaymentProvider, account: Account) -> Check:
    ledger = _ledger_side(payment)
    answer = _provider_side(payment, provider, account)
    return Check(payment=payment, ledger=ledger, provider=answer, reason=disagreement(ledger, answer))


def _ledger_side(payment: Payment) -> LedgerSide:
    credit = LedgerEntry.objects.filter(payment=payment, kind=LedgerEntry.Kind.CHARGE).first()
    if credit is None:
        return LedgerSide(credited=False, amount_minor=0, currency=payment.charge_currency)
    return LedgerSide(credited=True, amount_minor=credit.amount_minor, currency=credit.currency)


def _provider_side(payment: Payment, provider: PaymentProvider, account: Account) -> ProviderSide:
    attempt = payment.attempts.order_by("-started_at").first()
    if not payment.provider_ref or attempt is None:
        return ProviderSide(state=NO_REFERENCE, amount_minor=None, currency=None)
    try:
        status = provider.status(account, provider_ref=payment.provider_ref, attempt_id=attempt.id)
    except (OutcomeUnknown, Unreachable):
        return ProviderSide(state=UNANSWERED, amount_minor=None, currency=None)
    return ProviderSide(state=str(status.outcome), amount_minor=status.amount_minor, currency=status.currency)


def _provider_paid(check: Check) -> int:
    """What the provider took: its amount, or the amount we charged when its answer names none (M-Pesa)."""
    if check.provider.state != Outcome.SUCCEEDED:
        return 0
    if check.provider.amount_minor is not None:
        return check.provider.amount_minor
    return check.payment.charge_amount_minor


def _record(check: Check, *, account: ProviderAccount, day: date) -> None:
    """A disagreement becomes or updates the payment's item of the day; an agreement resolves an existing one."""
    values = {"company_id": account.company_id,
              "ledger_state": CREDITED if check.ledger.credited else NOT_CREDITED,
              "provider_state": check.provider.state, "ledger_amount_minor": check.ledger.amount_minor,
              "provider_amount_minor": check.provider.amount_minor}
    if check.reason:
        ReconciliationItem.objects.update_or_create(
            account=account, day=day, payment=check.payment,
            defaults={**values, "status": ReconciliationItem.Status.MISMATCH, "note": check.reason[:255]})
        return
    ReconciliationItem.objects.filter(account=account, day=day, payment=check.payment).update(
        **values, status=ReconciliationItem.Status.RESOLVED, note="The ledger and the provider agree.",
        checked_at=timezone.now())
