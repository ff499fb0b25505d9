"""STK push, its callbacks and its query, against the emulator over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest

from apps.payment.providers.base import CallbackClaim, ClaimKind, Declined, NextAction, Outcome, OutcomeUnknown
from apps.payment.providers.mpesa import MpesaProvider
from apps.payment.tests.mpesa.helpers import TEST_PHONE, charge, mpesa


def test_the_registry_holds_the_mpesa_provider():
    assert isinstance(mpesa, MpesaProvider)
    assert mpesa.identifier == "mpesa"


def test_a_push_to_the_test_phone_is_accepted_and_pays(mpesa_emulator, receiver):
    account = mpesa_emulator.account()

    initiated = mpesa.initiate(account, charge(receiver.url("cb/secret-1")))

    assert initiated.provider_ref.startswith("ws_CO_")
    assert initiated.next_action == NextAction(
        kind="approve_on_phone", message="Enter your M-Pesa PIN on 254708374149 to pay KES 1,500.")
    assert initiated.raw["ResponseCode"] == "0"
    [pushed] = mpesa_emulator.transactions()
    assert pushed["id"] == initiated.provider_ref
    assert (pushed["kind"], pushed["amount"], pushed["payer"], pushed["reference"]) == (
        "stk_push", 1500, TEST_PHONE, "BK-7F3A")
    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("cb/secret-1"))
    [settled] = mpesa_emulator.transactions()
    assert settled["status"] == "succeeded"
    assert len(settled["receipt"]) == 10
    assert mpesa.callback_claim(delivered.body) == CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref=initiated.provider_ref, outcome=Outcome.SUCCEEDED,
        transaction_id=settled["receipt"], amount_minor=150000, currency="KES", payer=TEST_PHONE)


def test_the_query_says_pending_until_the_payer_answers_then_succeeded(mpesa_emulator, receiver):
    mpesa_emulator.script(TEST_PHONE, "success", delay=1.0)
    account = mpesa_emulator.account()
    initiated = mpesa.initiate(account, charge(receiver.url("cb/1")))

    pending = mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())

    assert (pending.outcome, pending.provider_ref, pending.reason_code) == (
        Outcome.PENDING, initiated.provider_ref, "500.001.1001")
    final = mpesa_emulator.wait_until(
        lambda: (s := mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())).outcome
        is not Outcome.PENDING and s)
    assert (final.outcome, final.reason_code, final.transaction_id, final.amount_minor) == (
        Outcome.SUCCEEDED, "", "", None)
    assert final.raw["ResultCode"] == "0"


@pytest.mark.parametrize(("outcome", "code", "description"), [
    ("insufficient_funds", 1, "The balance is insufficient for the transaction."),
    ("cancelled", 1032, "Request cancelled by user"),
    ("timeout", 1037, "DS timeout user cannot be reached"),
    ("wrong_pin", 2001, "The initiator information is invalid."),
    ("locked", 1001, "Unable to lock subscriber, a transaction is already in process for the current subscriber"),
    ("expired", 1019, "Transaction has expired"),
])
def test_a_failed_push_calls_back_without_metadata_and_the_query_says_failed(
        mpesa_emulator, receiver, outcome, code, description):
    mpesa_emulator.script(TEST_PHONE, outcome)
    account = mpesa_emulator.account()
    initiated = mpesa.initiate(account, charge(receiver.url("cb/f")))

    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("cb/f"))
    status = mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())

    callback = json.loads(delivered.body)["Body"]["stkCallback"]
    assert callback == {"MerchantRequestID": callback["MerchantRequestID"],
                        "CheckoutRequestID": initiated.provider_ref, "ResultCode": code, "ResultDesc": description}
    assert mpesa.callback_claim(delivered.body) == CallbackClaim(
        kind=ClaimKind.PAYMENT, provider_ref=initiated.provider_ref, outcome=Outcome.FAILED)
    assert (status.outcome, status.reason_code, status.reason) == (Outcome.FAILED, str(code), description)
    [failed] = mpesa_emulator.transactions()
    assert (failed["status"], failed["result_code"], failed["receipt"]) == ("failed", code, "")


def test_another_number_than_the_test_phone_cannot_be_reached(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    initiated = mpesa.initiate(account, charge(receiver.url("cb/o"), payer_phone="254712345678"))

    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("cb/o"))

    assert json.loads(delivered.body)["Body"]["stkCallback"]["ResultCode"] == 1037
    status = mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())
    assert (status.outcome, status.reason_code) == (Outcome.FAILED, "1037")


def test_duplicate_callbacks_carry_the_same_claim(mpesa_emulator, receiver):
    mpesa_emulator.script(TEST_PHONE, "success", callback_copies=3)
    initiated = mpesa.initiate(mpesa_emulator.account(), charge(receiver.url("cb/d")))

    delivered = mpesa_emulator.wait_until(lambda: len(receiver.received("cb/d")) == 3 and receiver.received("cb/d"))

    claims = {mpesa.callback_claim(item.body) for item in delivered}
    assert len(claims) == 1
    assert claims.pop().provider_ref == initiated.provider_ref
    assert len(mpesa_emulator.transactions()) == 1


def test_buy_goods_pushes_to_the_till(mpesa_emulator, receiver):
    account = mpesa_emulator.account(transaction_type="CustomerBuyGoodsOnline", party_b="5432109")

    initiated = mpesa.initiate(account, charge(receiver.url("cb/b")))

    [pushed] = mpesa_emulator.transactions()
    assert pushed["id"] == initiated.provider_ref


@pytest.mark.parametrize(("changes", "message"), [
    ({"payer_phone": "0708374149"}, "Bad Request - Invalid PhoneNumber"),
    ({"reference": "A" * 13}, "Bad Request - Invalid AccountReference"),
    ({"description": "D" * 14}, "Bad Request - Invalid TransactionDesc"),
    ({"callback_url": "not a url"}, "Bad Request - Invalid CallBackURL"),
])
def test_a_push_daraja_refuses_is_declined_and_creates_nothing(mpesa_emulator, receiver, changes, message):
    with pytest.raises(Declined) as refused:
        mpesa.initiate(mpesa_emulator.account(), charge(**{"callback_url": receiver.url("cb/x"), **changes}))

    assert (refused.value.code, refused.value.status) == ("400.002.02", 400)
    assert str(refused.value) == f"M-Pesa refused the STK push: 400 {message}."
    assert mpesa_emulator.transactions() == []


def test_a_wrong_passkey_is_declined_and_creates_nothing(mpesa_emulator, receiver):
    with pytest.raises(Declined) as refused:
        mpesa.initiate(mpesa_emulator.account(passkey="not-the-passkey"), charge(receiver.url("cb/p")))

    assert (refused.value.code, refused.value.status) == ("500.001.1001", 500)
    assert mpesa_emulator.transactions() == []


@pytest.mark.parametrize(("amount_minor", "currency", "reason"), [
    (150050, "KES", "M-Pesa takes whole shillings only: the amount has cents."),
    (0, "KES", "The amount must be positive."),
    (-100, "KES", "The amount must be positive."),
    (150000, "USD", "M-Pesa charges KES only, not USD."),
])
def test_an_unchargeable_amount_is_refused_before_anything_is_sent(
        mpesa_emulator, receiver, amount_minor, currency, reason):
    assert mpesa.unchargeable_reason(amount_minor=amount_minor, currency=currency) == reason

    with pytest.raises(Declined) as refused:
        mpesa.initiate(mpesa_emulator.account(),
                       charge(receiver.url("cb/u"), amount_minor=amount_minor, currency=currency))

    assert (str(refused.value), refused.value.code) == (reason, "unchargeable")
    assert mpesa_emulator.transactions() == []
    assert mpesa_emulator.requests() == {}


def test_whole_shillings_are_chargeable_in_kes_only(mpesa_emulator):
    assert mpesa.unchargeable_reason(amount_minor=100, currency="KES") == ""
    assert mpesa.charge_currencies(mpesa_emulator.account()) == frozenset({"KES"})


def test_the_query_of_an_unknown_checkout_is_an_unknown_outcome(mpesa_emulator):
    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.status(mpesa_emulator.account(), provider_ref="ws_CO_000", attempt_id=uuid.uuid4())

    assert (unknown.value.code, unknown.value.status) == ("400.002.02", 400)
