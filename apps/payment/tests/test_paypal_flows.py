"""The payment core through the real PayPal client and its emulator: a KES booking charged in USD at the
company's rate, the buyer's approval, webhooks verified with PayPal and deduplicated on their id, the capture
made by the status check, a forged webhook refused."""

from __future__ import annotations

import json

import pytest

from apps.payment.models import Payment, ProviderEvent
from apps.payment.services import payments
from apps.payment.services.accounts import account_call_view
from apps.payment.services.registration import account_urls_register
from apps.payment.tests.flows import account_on, credits_of, deliver, payable, process_stored, published

pytestmark = pytest.mark.django_db(transaction=True)
RATE = "0.0077"


@pytest.fixture
def account(paypal_emulator, settings):
    account = account_on(paypal_emulator, settings, provider="paypal", rates={"KES": RATE},
                         conversion_currency="USD")
    account_urls_register(account)
    account.refresh_from_db()
    return account


def _start(account, subject) -> Payment:
    return payments.payment_start(company_id=account.company_id, subject=subject, provider_id="paypal",
                                  payer_phone="", return_url="https://tickets.example/paid",
                                  cancel_url="https://tickets.example/cancelled", initiated_by="user:passenger")


def test_the_webhook_id_is_registered_and_kept_with_the_account(account):
    webhook_id = account_call_view(account).credentials["webhook_id"]
    assert webhook_id
    assert webhook_id not in account.credentials_encrypted  # encrypted at rest


def test_an_approved_order_is_captured_once_whatever_the_webhooks(account, paypal_emulator):
    paypal_emulator.hold_callbacks()
    payment = _start(account, payable(account.company_id, amount_minor=150_000))
    assert (payment.charge_amount_minor, payment.charge_currency, payment.next_action["kind"]) == (1155, "USD",
                                                                                                  "redirect")
    assert paypal_emulator.approve(payment.provider_ref).status_code == 302

    paypal_emulator.wait_until(lambda: paypal_emulator.callbacks())
    approved = paypal_emulator.callbacks()[0]
    for _ in range(3):
        assert deliver(approved) == 200
    outcomes = process_stored()
    assert sorted(outcomes) == ["applied", "duplicate", "duplicate"], list(ProviderEvent.objects.values_list("note"))
    paypal_emulator.wait_until(lambda: len(paypal_emulator.callbacks()) >= 2)
    for callback in paypal_emulator.callbacks()[1:]:
        deliver(callback)
    outcomes += process_stored()

    assert outcomes.count("applied") == 1
    assert set(outcomes) <= {"applied", "duplicate"}
    settled = Payment.objects.get(pk=payment.id)
    assert settled.state == "succeeded"
    assert credits_of(payment.id) == [("charge", 1155, "USD")]
    assert [p["charge_currency"] for p in published("payment.payment_succeeded")] == ["USD"]
    captures = [r for r in paypal_emulator.requests() if r["path"].endswith("/capture")]
    assert len({r["paypal_request_id"] for r in captures}) == 1


def test_a_forged_webhook_is_not_verified_and_changes_nothing(account, paypal_emulator):
    paypal_emulator.hold_callbacks()
    payment = _start(account, payable(account.company_id))
    paypal_emulator.approve(payment.provider_ref)
    paypal_emulator.wait_until(lambda: paypal_emulator.callbacks())
    approved = paypal_emulator.callbacks()[0]
    forged = json.loads(approved["body"])
    forged["resource"]["purchase_units"][0]["amount"]["value"] = "0.01"

    deliver(approved, body=json.dumps(forged))

    assert process_stored() == ["spoofed"]
    assert Payment.objects.get(pk=payment.id).state == "pending"
    assert ProviderEvent.objects.get().outcome == "spoofed"
