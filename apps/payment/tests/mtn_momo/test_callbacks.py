"""MoMo callbacks: delivered by the emulator to a server of ours, parsed into claims, malformed ones refused."""

from __future__ import annotations

import json

import pytest

from apps.payment.providers.base import CallbackClaim, ClaimKind, MalformedCallback, Outcome
from apps.payment.providers.registry import provider
from apps.payment.tests.mtn_momo.builders import SUCCESS_PAYER, charge_request, refund_request

momo = provider("mtn_momo")


def test_a_successful_payment_is_called_back_with_put_and_claimed(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    charge = charge_request(amount_minor=2500, callback_url=callback_receiver.url("payment-7"))
    momo.initiate(account, charge)

    mtn_momo_emulator.wait_until(lambda: len(callback_receiver.received) == 1)

    [received] = callback_receiver.received
    assert (received.method, received.path) == ("PUT", "/callbacks/payment-7")
    [held] = mtn_momo_emulator.transactions()
    assert momo.callback_claim(received.body) == CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref="", outcome=Outcome.SUCCEEDED,
        transaction_id=held["financial_transaction_id"], amount_minor=2500, currency="EUR", payer=SUCCESS_PAYER,
        external_id=str(charge.payment_id))
    assert json.loads(received.body)["status"] == "SUCCESSFUL"


def test_a_failed_payment_is_called_back_with_post_when_scripted(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    charge = charge_request(callback_url=callback_receiver.url())
    mtn_momo_emulator.script(SUCCESS_PAYER, "APPROVAL_REJECTED", callback_method="POST", reason_form="object")
    momo.initiate(account, charge)

    mtn_momo_emulator.wait_until(lambda: len(callback_receiver.received) == 1)

    [received] = callback_receiver.received
    assert received.method == "POST"
    assert momo.callback_claim(received.body) == CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref="", outcome=Outcome.FAILED, amount_minor=10050, currency="EUR",
        payer=SUCCESS_PAYER, external_id=str(charge.payment_id))
    assert json.loads(received.body)["reason"] == {"code": "APPROVAL_REJECTED",
                                                   "message": "The payer rejected the request."}


def test_duplicated_callbacks_are_identical_claims(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    mtn_momo_emulator.script(SUCCESS_PAYER, "SUCCESSFUL", callback_copies=3, callback_delay=0.1)
    momo.initiate(account, charge_request(callback_url=callback_receiver.url()))

    mtn_momo_emulator.wait_until(lambda: len(callback_receiver.received) == 3)

    claims = [momo.callback_claim(received.body) for received in callback_receiver.received]
    assert claims[0] == claims[1] == claims[2]
    assert claims[0].outcome is Outcome.SUCCEEDED


def test_held_callbacks_are_recorded_and_not_delivered(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    mtn_momo_emulator.hold_callbacks()
    charge = charge_request(callback_url=callback_receiver.url())
    momo.initiate(account, charge)

    mtn_momo_emulator.wait_until(lambda: len(mtn_momo_emulator.callbacks()) == 1)

    [recorded] = mtn_momo_emulator.callbacks()
    assert (recorded["url"], recorded["method"], recorded["delivered_status"]) == (
        callback_receiver.url(), "PUT", None)
    assert momo.callback_claim(recorded["body"].encode()).external_id == str(charge.payment_id)
    assert callback_receiver.received == []


def test_a_pending_payment_sends_no_callback(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    charge = charge_request(payer_phone="46733123453", callback_url=callback_receiver.url())
    momo.initiate(account, charge)

    mtn_momo_emulator.wait_until(lambda: momo.status(
        account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id).outcome is Outcome.PENDING)

    assert mtn_momo_emulator.callbacks() == []
    assert callback_receiver.received == []


def test_a_refund_is_called_back_and_claimed_as_a_refund(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    momo.initiate(account, charge)
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.transactions()[0]["status"] == "SUCCESSFUL")
    refund = refund_request(str(charge.attempt_id), amount_minor=1000, result_url=callback_receiver.url("refund-1"))
    momo.refund(account, refund)

    mtn_momo_emulator.wait_until(lambda: len(callback_receiver.received) == 1)

    [received] = callback_receiver.received
    held = next(held for held in mtn_momo_emulator.transactions() if held["kind"] == "refund")
    assert (received.method, received.path) == ("PUT", "/callbacks/refund-1")
    assert momo.refund_claim(received.body) == CallbackClaim(
        kind=ClaimKind.REFUND, provider_ref="", outcome=Outcome.SUCCEEDED,
        transaction_id=held["financial_transaction_id"], amount_minor=1000, currency="EUR", payer=SUCCESS_PAYER,
        external_id=str(refund.refund_id))


def test_a_payment_callback_without_amount_is_still_a_claim():
    body = json.dumps({"externalId": "p-1", "status": "PENDING"}).encode()

    assert momo.callback_claim(body) == CallbackClaim(kind=ClaimKind.PAYMENT, provider_ref="",
                                                      outcome=Outcome.PENDING, external_id="p-1")


@pytest.mark.parametrize("body", [
    b"",
    b"not json",
    b"\xff\xfe",
    b"[]",
    b'"SUCCESSFUL"',
    json.dumps({"externalId": "p-1"}).encode(),
    json.dumps({"externalId": "p-1", "status": "DONE"}).encode(),
    json.dumps({"externalId": "p-1", "status": ["SUCCESSFUL"]}).encode(),
    json.dumps({"status": "SUCCESSFUL", "amount": "1", "currency": "EUR"}).encode(),
    json.dumps({"externalId": 7, "status": "SUCCESSFUL"}).encode(),
    json.dumps({"externalId": "p-1", "status": "SUCCESSFUL", "amount": "1.005", "currency": "EUR"}).encode(),
    json.dumps({"externalId": "p-1", "status": "SUCCESSFUL", "amount": "ten", "currency": "EUR"}).encode(),
    json.dumps({"externalId": "p-1", "status": "SUCCESSFUL", "amount": "10", "currency": "XXX"}).encode(),
    json.dumps({"externalId": "p-1", "status": "SUCCESSFUL", "amount": "10"}).encode(),
    json.dumps({"externalId": "p-1", "status": "SUCCESSFUL", "payer": {"partyId": 46733123450},
                "payee": {"partyId": 46733123450}}).encode(),
])
def test_a_body_that_is_no_momo_callback_is_malformed(body):
    with pytest.raises(MalformedCallback):
        momo.callback_claim(body)
    with pytest.raises(MalformedCallback):
        momo.refund_claim(body)
