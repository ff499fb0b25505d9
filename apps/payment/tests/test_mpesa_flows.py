"""The payment core through the real M-Pesa Daraja client and its emulator: STK push confirmed by the query,
Paybill validated and confirmed by the transaction status API over real HTTP to our endpoints, reversals."""

from __future__ import annotations

import json

import pytest

from apps.payment.models import LedgerEntry, Payment, ProviderEvent, Refund
from apps.payment.services import payments, refunds
from apps.payment.services.registration import account_urls_register
from apps.payment.tests.flows import account_on, credits_of, deliver, payable, process_stored, published
from transport.errors import ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(mpesa_emulator, settings):
    return account_on(mpesa_emulator, settings, provider="mpesa")


def _start(account, subject, phone="254708374149") -> Payment:
    return payments.payment_start(company_id=account.company_id, subject=subject, provider_id="mpesa",
                                  payer_phone=phone, return_url="", cancel_url="", initiated_by="user:passenger")


def _paid(account, mpesa_emulator) -> tuple[str, Payment]:
    mpesa_emulator.hold_callbacks()
    subject = payable(account.company_id, amount_minor=150_000)
    payment = _start(account, subject)
    mpesa_emulator.wait_until(lambda: mpesa_emulator.callbacks())
    [callback] = mpesa_emulator.callbacks()
    deliver(callback)
    assert process_stored() == ["applied"]
    return subject, Payment.objects.get(pk=payment.id)


def test_an_stk_push_confirmed_by_the_query_credits_the_receipt_once(account, mpesa_emulator):
    subject, payment = _paid(account, mpesa_emulator)
    [callback] = mpesa_emulator.callbacks()

    for _ in range(4):
        assert deliver(callback) == 200
    assert process_stored() == ["duplicate"] * 4

    receipt = json.loads(callback["body"])["Body"]["stkCallback"]["CallbackMetadata"]["Item"][1]["Value"]
    assert (payment.state, payment.transaction_id, payment.charge_amount_minor) == ("succeeded", receipt, 150_000)
    assert credits_of(payment.id) == [("charge", 150_000, "KES")]
    [succeeded] = published("payment.payment_succeeded")
    assert (succeeded["subject"], succeeded["transaction_id"], succeeded["late"]) == (subject, receipt, False)
    assert mpesa_emulator.requests()["/mpesa/stkpush/v1/processrequest"] == 1


def test_shillings_with_cents_are_refused_before_any_push(account, mpesa_emulator):
    with pytest.raises(ValidationFailed) as refused:
        _start(account, payable(account.company_id, amount_minor=150_050))
    assert refused.value.code == "amount_not_chargeable"
    assert mpesa_emulator.transactions() == []


def test_a_cancelled_push_fails_the_payment_and_announces_it(account, mpesa_emulator):
    mpesa_emulator.hold_callbacks()
    mpesa_emulator.script("254708374149", "cancelled")
    payment = _start(account, payable(account.company_id))
    mpesa_emulator.wait_until(lambda: mpesa_emulator.callbacks())
    deliver(mpesa_emulator.callbacks()[0])

    assert process_stored() == ["applied"]

    failed = Payment.objects.get(pk=payment.id)
    assert (failed.state, failed.failure_code) == ("failed", "1032")
    assert LedgerEntry.objects.count() == 0
    assert [p["reason_code"] for p in published("payment.payment_failed")] == ["1032"]


def test_a_payment_that_failed_and_then_succeeds_at_the_provider_is_credited_late(account, mpesa_emulator):
    mpesa_emulator.hold_callbacks()
    payment = _start(account, payable(account.company_id))
    payments._expire(payment.id, reason="test: the window closed before M-Pesa answered")
    mpesa_emulator.wait_until(lambda: mpesa_emulator.callbacks())
    deliver(mpesa_emulator.callbacks()[0])

    assert process_stored() == ["applied"]

    assert Payment.objects.get(pk=payment.id).state == "succeeded"
    assert [p["late"] for p in published("payment.payment_succeeded")] == [True]


def test_a_reversal_settles_by_its_result_callback(account, mpesa_emulator):
    subject, payment = _paid(account, mpesa_emulator)
    refund = refunds.refund_request(subject=subject, key="ticket:9", amount_minor=None, reason="seats taken",
                                    requested_by="system:test")
    assert refund is not None

    assert refunds.refund_send(refund.id) == "pending"
    mpesa_emulator.wait_until(lambda: len(mpesa_emulator.callbacks()) == 2)
    result = mpesa_emulator.callbacks()[1]
    deliver(result)
    deliver(result)
    assert process_stored() == ["applied", "duplicate"]

    assert Refund.objects.get(pk=refund.id).state == "succeeded"
    assert credits_of(payment.id) == [("charge", 150_000, "KES"), ("refund", -150_000, "KES")]
    assert refunds.refund_send(refund.id) == "succeeded"  # never sent twice
    assert mpesa_emulator.requests()["/mpesa/reversal/v1/request"] == 1


@pytest.fixture
def paybill_account(account, live_server, settings):
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url
    account_urls_register(account)
    return account


def _reference(subject: str) -> str:
    from apps.payment.models import Payable

    return Payable.objects.get(subject=subject).reference


def test_a_paybill_payment_of_an_open_payable_is_validated_confirmed_and_credited(paybill_account, mpesa_emulator):
    subject = payable(paybill_account.company_id, amount_minor=150_000)

    answer = mpesa_emulator.c2b_pay(amount=1500, account_reference=_reference(subject))
    mpesa_emulator.wait_until(lambda: ProviderEvent.objects.filter(kind="paybill-confirmation").exists())
    assert process_stored() == ["applied"]  # the confirmation opens a payment and asks for the receipt's status
    mpesa_emulator.wait_until(lambda: ProviderEvent.objects.filter(kind="paybill-status").exists())
    assert process_stored() == ["applied"]

    assert json.dumps(answer).count("Accepted") >= 1
    payment = Payment.objects.get(subject=subject)
    assert (payment.state, payment.initiated_by, payment.amount_minor) == ("succeeded", "payer", 150_000)
    assert credits_of(payment.id) == [("charge", 150_000, "KES")]
    assert [p["subject"] for p in published("payment.payment_succeeded")] == [subject]
    assert ProviderEvent.objects.get(kind="paybill-validation").outcome == "accepted"


@pytest.mark.parametrize("amount, reference, code", [(1400, None, "C2B00013"), (1500, "NOSUCHREF", "C2B00012")])
def test_a_paybill_payment_of_another_amount_or_reference_is_refused_at_validation(
        paybill_account, mpesa_emulator, amount, reference, code):
    subject = payable(paybill_account.company_id, amount_minor=150_000)

    answer = mpesa_emulator.c2b_pay(amount=amount, account_reference=reference or _reference(subject))

    assert code in json.dumps(answer)
    validation = ProviderEvent.objects.get(kind="paybill-validation")
    assert validation.outcome == "rejected"
    assert not ProviderEvent.objects.filter(kind="paybill-confirmation").exists()
    assert Payment.objects.count() == 0
