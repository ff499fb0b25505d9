"""The payment core through the real MTN MoMo client and its emulator: callbacks are evidence, the status API
is the truth, money is credited once, a lost answer is recovered, refunds settle through the provider."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.test import Client

from apps.payment.models import LedgerEntry, Payment, ProviderEvent, Refund
from apps.payment.services import payments, refunds
from apps.payment.tests.flows import (
    KES_RATE_TO_EUR,
    account_on,
    credits_of,
    deliver,
    payable,
    process_stored,
    published,
)
from transport.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "46733123999"  # the emulator's default: SUCCESSFUL


@pytest.fixture
def account(mtn_momo_emulator, settings):
    return account_on(mtn_momo_emulator, settings, provider="mtn_momo", rates={"KES": KES_RATE_TO_EUR})


def _start(account, subject, phone=PHONE) -> Payment:
    return payments.payment_start(company_id=account.company_id, subject=subject, provider_id="mtn_momo",
                                  payer_phone=phone, return_url="", cancel_url="", initiated_by="user:passenger")


def test_a_kes_booking_is_charged_in_eur_at_the_company_rate_recorded_on_the_payment(account, mtn_momo_emulator):
    subject = payable(account.company_id, amount_minor=150_000)

    payment = _start(account, subject)

    # 1,500.00 KES x 0.0070 = 10.50 EUR
    assert (payment.state, payment.charge_amount_minor, payment.charge_currency, payment.conversion_rate) == (
        "pending", 1050, "EUR", KES_RATE_TO_EUR)
    assert payment.provider_ref == str(payment.attempts.get().id)
    assert payment.next_action["kind"] == "approve_on_phone"
    [sent] = mtn_momo_emulator.transactions()
    assert sent["amount"] == "10.50" and sent["currency"] == "EUR"


def test_without_a_rate_a_kes_booking_is_refused_and_nothing_is_sent(mtn_momo_emulator, settings):
    account = account_on(mtn_momo_emulator, settings, provider="mtn_momo")
    subject = payable(account.company_id)

    with pytest.raises(ValidationFailed) as refused:
        _start(account, subject)

    assert refused.value.code == "currency_not_supported"
    assert Payment.objects.count() == 0
    assert mtn_momo_emulator.transactions() == []


def test_callbacks_replayed_five_times_and_out_of_order_credit_once(account, mtn_momo_emulator):
    mtn_momo_emulator.hold_callbacks()
    first, second = payable(account.company_id), payable(account.company_id)
    one, two = _start(account, first), _start(account, second)
    mtn_momo_emulator.wait_until(lambda: len(mtn_momo_emulator.callbacks()) == 2)
    by_payment = {json.loads(c["body"])["externalId"]: c for c in mtn_momo_emulator.callbacks()}

    client = Client()
    statuses = [deliver(by_payment[str(p.id)], client=client) for p in (two, one, two, one, one, two, two, one, one,
                                                                           two)]
    outcomes = process_stored()

    assert statuses == [200] * 10
    assert sorted(outcomes) == ["applied"] * 2 + ["duplicate"] * 8
    for payment in (one, two):
        assert credits_of(payment.id) == [("charge", 1050, "EUR")]
        assert Payment.objects.get(pk=payment.id).state == "succeeded"
    assert sorted(p["payment_id"] for p in published("payment.payment_succeeded")) == sorted([str(one.id),
                                                                                             str(two.id)])
    assert ProviderEvent.objects.count() == 10


def test_a_callback_with_a_wrong_secret_is_stored_answered_404_and_changes_nothing(account, mtn_momo_emulator):
    mtn_momo_emulator.hold_callbacks()
    payment = _start(account, payable(account.company_id))
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.callbacks())
    [callback] = mtn_momo_emulator.callbacks()
    forged = {**callback, "url": callback["url"].rsplit("/", 1)[0] + "/" + "0" * 40}

    assert deliver(forged) == 404
    assert process_stored() == []

    event = ProviderEvent.objects.get()
    assert (event.outcome, event.secret_ok, event.body) == ("spoofed", False, callback["body"])
    assert Payment.objects.get(pk=payment.id).state == "pending"
    assert LedgerEntry.objects.count() == 0
    assert published("payment.payment_succeeded") == []


def test_a_callback_naming_nothing_of_ours_is_stored_and_changes_nothing():
    path = f"/api/v1/payments/callbacks/payment/{uuid.uuid4()}/{'a' * 40}"

    assert Client().post(path, data="{}", content_type="application/json").status_code == 404

    assert ProviderEvent.objects.get().outcome in ("spoofed", "unknown")
    assert Payment.objects.count() == 0


def test_a_success_callback_the_status_api_does_not_confirm_fulfils_nothing(account, mtn_momo_emulator):
    mtn_momo_emulator.hold_callbacks()
    mtn_momo_emulator.script(PHONE, "APPROVAL_REJECTED")
    payment = _start(account, payable(account.company_id))
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.callbacks())
    [callback] = mtn_momo_emulator.callbacks()
    claimed = json.loads(callback["body"])
    forged = json.dumps({**claimed, "status": "SUCCESSFUL", "financialTransactionId": "999999", "reason": None})

    assert deliver(callback, body=forged) == 200
    assert process_stored() == ["unconfirmed"]

    assert Payment.objects.get(pk=payment.id).state == "pending"
    assert LedgerEntry.objects.count() == 0
    assert published("payment.payment_succeeded") == []


@pytest.mark.parametrize("field, value", [("amount", "9999.00"), ("currency", "USD"),
                                          ("payer", {"partyIdType": "MSISDN", "partyId": "46700000000"}),
                                          ("externalId", str(uuid.uuid4()))])
def test_a_callback_whose_amount_currency_payer_or_reference_differ_fulfils_nothing(account, mtn_momo_emulator,
                                                                                    field, value):
    mtn_momo_emulator.hold_callbacks()
    payment = _start(account, payable(account.company_id))
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.callbacks())
    [callback] = mtn_momo_emulator.callbacks()
    forged = json.dumps({**json.loads(callback["body"]), field: value})

    deliver(callback, body=forged)
    assert process_stored() == ["mismatch"]

    assert Payment.objects.get(pk=payment.id).state == "pending"
    assert LedgerEntry.objects.count() == 0


def test_a_lost_push_answer_stays_pending_and_the_poll_resolves_it(account, mtn_momo_emulator, settings):
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.3
    mtn_momo_emulator.hold_callbacks()
    mtn_momo_emulator.script(PHONE, "SUCCESSFUL", answer_delay=1.0)
    subject = payable(account.company_id)

    payment = _start(account, subject)

    assert payment.state == "pending"
    assert payment.attempts.get().outcome == "unknown"
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.callbacks())
    assert payments.poll_one(payment.id) == "applied"
    assert Payment.objects.get(pk=payment.id).state == "succeeded"
    assert credits_of(payment.id) == [("charge", 1050, "EUR")]
    assert len(mtn_momo_emulator.transactions()) == 1


def test_concurrent_pay_requests_for_one_subject_make_one_provider_push(account, mtn_momo_emulator):
    subject = payable(account.company_id)
    barrier = threading.Barrier(8, timeout=30)
    answers: list[object] = []

    def pay() -> None:
        barrier.wait()
        try:
            answers.append(_start(account, subject).id)
        except Conflict as exc:
            answers.append(exc.code)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8
    payment_ids = {a for a in answers if isinstance(a, uuid.UUID)}
    assert len(payment_ids) == 1
    assert set(answers) - payment_ids <= {"payment_pending"}
    assert len(mtn_momo_emulator.transactions()) == 1
    assert Payment.objects.count() == 1


def test_a_pending_payment_past_its_window_expires_and_is_announced(account, mtn_momo_emulator):
    mtn_momo_emulator.script(PHONE, "PENDING")
    payment = _start(account, payable(account.company_id))

    assert payments.poll_one(payment.id, now=payment.window_ends_at) == "expired"

    assert Payment.objects.get(pk=payment.id).state == "expired"
    [failed] = published("payment.payment_failed")
    assert (failed["payment_id"], failed["reason_code"]) == (str(payment.id), "expired")
    assert list(Payment.objects.get(pk=payment.id).transitions.values_list("to_state", flat=True)) == [
        "pending", "expired"]


def test_a_refund_is_asked_once_per_key_and_settles_through_the_provider(account, mtn_momo_emulator):
    subject = payable(account.company_id)
    payment = _start(account, subject)
    mtn_momo_emulator.wait_until(lambda: payments.poll_one(payment.id) in ("applied", "duplicate"))

    refund = refunds.refund_request(subject=subject, key="ticket:1", amount_minor=None, reason="cancelled",
                                    requested_by="system:test")
    again = refunds.refund_request(subject=subject, key="ticket:1", amount_minor=None, reason="cancelled",
                                   requested_by="system:test")
    assert refund is not None and again is not None and again.id == refund.id
    refunds.refund_send(refund.id)
    mtn_momo_emulator.wait_until(lambda: refunds.refund_poll_one(refund.id) in ("applied", "duplicate"))

    settled = Refund.objects.get(pk=refund.id)
    assert (settled.state, settled.amount_minor, settled.charge_amount_minor) == ("succeeded", 150_000, 1050)
    assert credits_of(payment.id) == [("charge", 1050, "EUR"), ("refund", -1050, "EUR")]
    [completed] = published("payment.refund_completed")
    assert (completed["key"], completed["amount_minor"], completed["currency"]) == ("ticket:1", 150_000, "KES")
    assert refunds.refund_request(subject=subject, key="ticket:2", amount_minor=None, reason="again",
                                  requested_by="system:test") is None
