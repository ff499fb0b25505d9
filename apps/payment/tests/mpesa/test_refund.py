"""Refunds are reversals: accepted at once, their result sent to our result URL later."""

from __future__ import annotations

import json
import uuid

import pytest

from apps.payment.providers.base import (
    CallbackClaim,
    ClaimKind,
    Declined,
    Outcome,
    OutcomeUnknown,
    RefundRequest,
    RefundStatus,
)
from apps.payment.tests.mpesa.helpers import TEST_PHONE, charge, mpesa

REVERSAL = "/mpesa/reversal/v1/request"


def paid_receipt(mpesa_emulator, receiver, account) -> str:
    """Push KES 1,500 from the test phone and wait for its receipt."""
    mpesa.initiate(account, charge(receiver.url("cb/paid")))
    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("cb/paid"))
    return mpesa.callback_claim(delivered.body).transaction_id


def reversal_of(receipt: str, result_url: str, **changes) -> RefundRequest:
    return RefundRequest(**{"refund_id": uuid.uuid4(), "provider_ref": "ws_CO_1", "transaction_id": receipt,
                            "amount_minor": 150000, "currency": "KES", "payer": TEST_PHONE,
                            "result_url": result_url, **changes})


def test_a_reversal_is_pending_then_its_result_says_refunded(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    receipt = paid_receipt(mpesa_emulator, receiver, account)
    request = reversal_of(receipt, receiver.url("refund/secret-9"))

    pending = mpesa.refund(account, request)

    assert (pending.outcome, pending.raw["ResponseCode"]) == (Outcome.PENDING, "0")
    assert mpesa.refund_status(account, provider_ref=pending.provider_ref, refund_id=request.refund_id) == \
        RefundStatus(outcome=Outcome.PENDING, provider_ref=pending.provider_ref)
    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("refund/secret-9"))
    result = json.loads(delivered.body)["Result"]
    assert (result["ResultCode"], result["OriginatorConversationID"]) == (0, pending.provider_ref)
    assert mpesa.callback_claim(delivered.body) == CallbackClaim(
        kind=ClaimKind.REFUND, provider_ref=pending.provider_ref, outcome=Outcome.SUCCEEDED,
        transaction_id=result["TransactionID"], amount_minor=150000, currency="KES")
    assert len(result["TransactionID"]) == 10 and result["TransactionID"] != receipt
    reversed_push = next(t for t in mpesa_emulator.transactions() if t["kind"] == "stk_push")
    assert reversed_push["reversed"] is True


def _failed_result(mpesa_emulator, receiver, account, request) -> tuple[dict, CallbackClaim]:
    pending = mpesa.refund(account, request)
    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("refund/r"))
    claim = mpesa.callback_claim(delivered.body)
    assert (claim.kind, claim.provider_ref, claim.outcome, claim.amount_minor) == (
        ClaimKind.REFUND, pending.provider_ref, Outcome.FAILED, None)
    return json.loads(delivered.body)["Result"], claim


def test_a_scripted_reversal_failure_comes_back_failed(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    receipt = paid_receipt(mpesa_emulator, receiver, account)
    mpesa_emulator.script(TEST_PHONE, "R000002")

    result, _ = _failed_result(mpesa_emulator, receiver, account, reversal_of(receipt, receiver.url("refund/r")))

    assert (result["ResultCode"], result["ResultDesc"]) == ("R000002", "The OriginalTransactionID is invalid.")
    assert next(t for t in mpesa_emulator.transactions() if t["kind"] == "stk_push")["reversed"] is False


def test_an_unknown_receipt_cannot_be_reversed(mpesa_emulator, receiver):
    account = mpesa_emulator.account()

    result, _ = _failed_result(mpesa_emulator, receiver, account, reversal_of("NOSUCH0001", receiver.url("refund/r")))

    assert result["ResultCode"] == "R000002"


def test_a_second_reversal_of_one_payment_fails(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    receipt = paid_receipt(mpesa_emulator, receiver, account)
    mpesa.refund(account, reversal_of(receipt, receiver.url("refund/first")))

    result, _ = _failed_result(mpesa_emulator, receiver, account, reversal_of(receipt, receiver.url("refund/r")))

    assert (result["ResultCode"], result["ResultDesc"]) == ("R000001", "The transaction has already been reversed.")


def test_a_wrong_security_credential_fails_in_the_result(mpesa_emulator, receiver):
    account = mpesa_emulator.account(security_credential="bm90IHRoZSBjcmVkZW50aWFs")
    receipt = paid_receipt(mpesa_emulator, receiver, mpesa_emulator.account())

    result, _ = _failed_result(mpesa_emulator, receiver, account, reversal_of(receipt, receiver.url("refund/r")))

    assert (result["ResultCode"], result["ResultDesc"]) == (2001, "The initiator information is invalid.")


def test_an_account_without_initiator_cannot_refund_and_sends_nothing(mpesa_emulator, receiver):
    account = mpesa_emulator.account(initiator_name="")

    with pytest.raises(Declined) as refused:
        mpesa.refund(account, reversal_of("NLJ7RT61SV", receiver.url("refund/r")))

    assert refused.value.code == "not_configured"
    assert mpesa_emulator.requests() == {}


def test_a_reversal_daraja_refuses_is_declined(mpesa_emulator, receiver):
    with pytest.raises(Declined) as refused:
        mpesa.refund(mpesa_emulator.account(), reversal_of("NLJ7RT61SV", "not a url"))

    assert (refused.value.code, refused.value.status, str(refused.value)) == (
        "400.002.02", 400, "M-Pesa refused the reversal: 400 Bad Request - Invalid ResultURL.")
    assert mpesa_emulator.transactions() == []


def test_cents_cannot_be_reversed(mpesa_emulator, receiver):
    with pytest.raises(Declined) as refused:
        mpesa.refund(mpesa_emulator.account(), reversal_of("NLJ7RT61SV", receiver.url("r"), amount_minor=150050))

    assert refused.value.code == "unchargeable"
    assert mpesa_emulator.requests() == {}


def test_a_server_error_on_the_reversal_is_an_unknown_outcome(mpesa_emulator, receiver):
    mpesa_emulator.fail(REVERSAL, status=500)

    with pytest.raises(OutcomeUnknown):
        mpesa.refund(mpesa_emulator.account(), reversal_of("NLJ7RT61SV", receiver.url("r")))

    assert mpesa_emulator.transactions() == []


def test_held_results_are_recorded_and_can_be_delivered_by_hand(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    receipt = paid_receipt(mpesa_emulator, receiver, account)
    mpesa_emulator.hold_callbacks()

    pending = mpesa.refund(account, reversal_of(receipt, receiver.url("refund/held")))

    [held] = mpesa_emulator.wait_until(lambda: [c for c in mpesa_emulator.callbacks() if "refund/held" in c["url"]])
    assert held["delivered_status"] is None
    assert receiver.received("refund/held") == []
    assert mpesa.callback_claim(held["body"].encode()).provider_ref == pending.provider_ref
