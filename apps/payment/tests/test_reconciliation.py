"""Reconciling an account's day: every payment of the company's local day, our ledger against the answer of the
provider's status API (the MTN MoMo emulator over HTTP), disagreements kept as items until they agree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.utils import timezone

from apps.payment import tasks
from apps.payment.models import Payable, Payment, ReconciliationItem, ReconciliationRun
from apps.payment.services import accounts, payments
from apps.payment.services.reconciliation import (
    LedgerSide,
    ProviderSide,
    account_day_reconcile,
    disagreement,
    item_requery,
    yesterday,
)
from apps.payment.services.registration import account_urls_register
from apps.payment.tests.flows import account_on, credits_of, payable, process_stored
from apps.payment.tests.momo_payments import REJECTING_PAYER, momo_account, momo_payment, settled_at_provider
from tests.worlds.payment import build_payment_company

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")
RESOLVED_NOTE = "The ledger and the provider agree."
NOT_CREDITED_NOTE = "The provider says the payment succeeded; the ledger holds no credit."


@pytest.fixture
def company():
    return build_payment_company()


@pytest.fixture
def account(mtn_momo_emulator, settings, company):
    return momo_account(mtn_momo_emulator, settings, company_id=company.company_id)


def _today() -> date:
    return timezone.now().astimezone(NAIROBI).date()


def _item_view(item: ReconciliationItem) -> tuple:
    return (item.payment_id, item.day, item.ledger_state, item.provider_state, item.ledger_amount_minor,
            item.provider_amount_minor, item.status, item.note)


def _run_view(run: ReconciliationRun) -> tuple:
    return (run.company_id, run.account_id, run.day, run.checked, run.mismatches, run.ledger_total_minor,
            run.provider_total_minor, run.started_by)


def test_payments_on_which_the_ledger_and_the_provider_agree_leave_no_item(mtn_momo_emulator, company, account):
    paid = momo_payment(company_id=company.company_id, subject="booking:paid")
    rejected = momo_payment(company_id=company.company_id, subject="booking:rejected", payer=REJECTING_PAYER)
    for payment in (paid, rejected):
        settled_at_provider(mtn_momo_emulator, payment)
        payments.poll_one(payment.id)

    run = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")

    assert list(Payment.objects.order_by("subject").values_list("subject", "state")) == [
        ("booking:paid", "succeeded"), ("booking:rejected", "failed")]
    assert _run_view(run) == (company.company_id, account.id, _today(), 2, 0, 10050, 10050, "user:auditor")
    assert ReconciliationItem.objects.count() == 0


def test_money_the_provider_took_without_a_credit_is_a_mismatch_until_the_ledger_has_it(
        mtn_momo_emulator, company, account):
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)  # taken at MoMo; no callback, no poll yet: not credited

    first = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")
    [item] = ReconciliationItem.objects.all()
    mismatched = _item_view(item)
    payments.poll_one(payment.id)
    second = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")
    item.refresh_from_db()

    assert mismatched == (payment.id, _today(), "not_credited", "succeeded", 0, 10050, "mismatch", NOT_CREDITED_NOTE)
    assert _run_view(first)[3:7] == (1, 1, 0, 10050)
    assert _item_view(item) == (payment.id, _today(), "credited", "succeeded", 10050, 10050, "resolved",
                                RESOLVED_NOTE)
    assert _run_view(second)[3:7] == (1, 0, 10050, 10050)
    assert ReconciliationItem.objects.count() == 1


def test_a_payment_still_pending_at_the_provider_and_not_credited_agrees(mtn_momo_emulator, company, account):
    mtn_momo_emulator.script("*", "PENDING")
    momo_payment(company_id=company.company_id, subject="booking:1")

    run = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")

    assert _run_view(run)[3:7] == (1, 0, 0, 0)
    assert ReconciliationItem.objects.count() == 0


def test_an_unanswered_status_query_is_an_item_resolved_by_re_querying(mtn_momo_emulator, company, account):
    payment = momo_payment(company_id=company.company_id, subject="booking:1", payer=REJECTING_PAYER)
    settled_at_provider(mtn_momo_emulator, payment)
    payments.poll_one(payment.id)
    mtn_momo_emulator.fail("/collection/v1_0/requesttopay/", status=500)

    run = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")
    [item] = ReconciliationItem.objects.all()
    unanswered = _item_view(item)
    requeried = item_requery(item_id=item.id)

    assert unanswered == (payment.id, _today(), "not_credited", "unanswered", 0, None, "mismatch",
                          "The provider did not answer the status query.")
    assert _run_view(run)[3:7] == (1, 1, 0, 0)
    assert _item_view(requeried) == (payment.id, _today(), "not_credited", "failed", 0, 10050, "resolved",
                                     RESOLVED_NOTE)
    assert Payment.objects.get(pk=payment.id).state == "failed"  # reconciliation only looks


def test_re_querying_an_item_whose_sides_still_differ_keeps_it_mismatched(mtn_momo_emulator, company, account):
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)
    account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")
    [item] = ReconciliationItem.objects.all()

    requeried = item_requery(item_id=item.id)

    assert _item_view(requeried) == (payment.id, _today(), "not_credited", "succeeded", 0, 10050, "mismatch",
                                     NOT_CREDITED_NOTE)
    assert Payment.objects.get(pk=payment.id).state == "pending"


def test_the_day_is_the_companys_local_day(mtn_momo_emulator, settings, company, account):
    other = build_payment_company()
    momo_account(mtn_momo_emulator, settings, company_id=other.company_id)
    made = {}
    for subject, at in [("booking:late-on-the-9th", datetime(2026, 3, 9, 20, 59, tzinfo=UTC)),
                        ("booking:first-of-the-10th", datetime(2026, 3, 9, 21, 0, tzinfo=UTC)),
                        ("booking:last-of-the-10th", datetime(2026, 3, 10, 20, 59, 59, tzinfo=UTC)),
                        ("booking:first-of-the-11th", datetime(2026, 3, 10, 21, 0, tzinfo=UTC))]:
        made[subject] = momo_payment(company_id=company.company_id, subject=subject)
        Payment.objects.filter(pk=made[subject].pk).update(created_at=at)
    theirs = momo_payment(company_id=other.company_id, subject="booking:theirs")
    Payment.objects.filter(pk=theirs.pk).update(created_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    for payment in [*made.values(), theirs]:
        settled_at_provider(mtn_momo_emulator, payment)

    run = account_day_reconcile(account_id=account.id, day=date(2026, 3, 10), started_by="user:auditor")

    assert _run_view(run)[2:7] == (date(2026, 3, 10), 2, 2, 0, 20100)
    assert set(ReconciliationItem.objects.values_list("payment_id", "day")) == {
        (made["booking:first-of-the-10th"].id, date(2026, 3, 10)),
        (made["booking:last-of-the-10th"].id, date(2026, 3, 10))}


def test_a_day_without_payments_asks_the_provider_nothing(mtn_momo_emulator, company, account):
    run = account_day_reconcile(account_id=account.id, day=date(2026, 3, 10), started_by="user:auditor")

    assert _run_view(run) == (company.company_id, account.id, date(2026, 3, 10), 0, 0, 0, 0, "user:auditor")
    assert sum(mtn_momo_emulator.tokens_issued().values()) == 0
    assert mtn_momo_emulator.transactions() == []


@pytest.mark.django_db(transaction=True)
def test_an_mpesa_day_checks_the_pushes_and_leaves_out_what_payers_paid_unprompted(mpesa_emulator, settings,
                                                                                   live_server):
    company = build_payment_company()
    account = account_on(mpesa_emulator, settings, provider="mpesa", company_id=company.company_id)
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url
    account_urls_register(account)
    pushed, walked_in = (payable(company.company_id, amount_minor=amount) for amount in (150_000, 80_000))
    payments.payment_start(company_id=company.company_id, subject=pushed, provider_id="mpesa",
                           payer_phone="254708374149", return_url="", cancel_url="", initiated_by="user:passenger")
    mpesa_emulator.c2b_pay(amount=800, account_reference=Payable.objects.get(subject=walked_in).reference)

    def both_credited() -> bool:
        process_stored()  # what a worker does with the callbacks our endpoint stored
        return Payment.objects.filter(state="succeeded").count() == 2

    mpesa_emulator.wait_until(both_credited, timeout=10)

    run = account_day_reconcile(account_id=account.id, day=_today(), started_by="user:auditor")

    assert list(Payment.objects.order_by("-amount_minor").values_list("subject", "initiated_by", "state")) == [
        (pushed, "user:passenger", "succeeded"), (walked_in, "payer", "succeeded")]
    assert credits_of(Payment.objects.get(subject=walked_in).id) == [("charge", 80_000, "KES")]
    # M-Pesa's query names no amount: the provider's total is what we charged for the push it confirmed
    assert _run_view(run)[3:7] == (1, 0, 150_000, 150_000)
    assert ReconciliationItem.objects.count() == 0


@pytest.mark.parametrize(("ledger", "provider", "reason"), [
    (LedgerSide(True, 10050, "EUR"), ProviderSide("succeeded", 10050, "EUR"), ""),
    (LedgerSide(True, 10050, "EUR"), ProviderSide("succeeded", None, None), ""),
    (LedgerSide(False, 0, "EUR"), ProviderSide("failed", 10050, "EUR"), ""),
    (LedgerSide(False, 0, "EUR"), ProviderSide("no_reference", None, None), ""),
    (LedgerSide(True, 10050, "EUR"), ProviderSide("succeeded", 10000, "EUR"),
     "The ledger credited 100.50 EUR; the provider took 100.00."),
    (LedgerSide(True, 10050, "EUR"), ProviderSide("succeeded", 10050, "USD"),
     "The ledger credited EUR; the provider took USD."),
    (LedgerSide(True, 10050, "EUR"), ProviderSide("failed", 10050, "EUR"),
     "The ledger holds a credit; the provider says failed."),
    (LedgerSide(True, 10050, "EUR"), ProviderSide("no_reference", None, None),
     "The ledger holds a credit; the provider says no_reference."),
    (LedgerSide(False, 0, "EUR"), ProviderSide("succeeded", 10050, "EUR"), NOT_CREDITED_NOTE),
    (LedgerSide(False, 0, "EUR"), ProviderSide("unanswered", None, None),
     "The provider did not answer the status query."),
])
def test_what_counts_as_a_disagreement(ledger, provider, reason):
    assert disagreement(ledger, provider) == reason


def test_yesterday_is_read_in_the_companys_timezone():
    nairobi, lima = build_payment_company(), build_payment_company(timezone="America/Lima")
    now = datetime(2026, 3, 10, 21, 30, tzinfo=UTC)  # the 11th in Nairobi, still the 10th in Lima

    assert yesterday(company_id=nairobi.company_id, now=now) == date(2026, 3, 10)
    assert yesterday(company_id=lima.company_id, now=now) == date(2026, 3, 9)


def test_the_daily_task_reconciles_yesterday_of_every_active_account(mtn_momo_emulator, settings, company, account):
    other = build_payment_company()
    retired = momo_account(mtn_momo_emulator, settings, company_id=other.company_id)
    accounts.account_save(company_id=other.company_id, provider="mtn_momo", environment="sandbox", values={},
                          account_id=retired.id, active=False)

    runs = tasks.reconcile_yesterday()

    assert runs == 1
    assert [_run_view(run) for run in ReconciliationRun.objects.all()] == [
        (company.company_id, account.id, yesterday(company_id=company.company_id), 0, 0, 0, 0,
         "system:reconcile_yesterday")]
    assert settings.CELERY_BEAT_SCHEDULE["payment-reconcile-yesterday"] == {
        "task": "payment.reconcile_yesterday", "schedule": crontab(minute=0, hour=3)}
