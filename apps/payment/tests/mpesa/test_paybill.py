"""Paybill (C2B) end to end: URL registration, a customer's payment validated and confirmed by our receiving
server, and the confirmation checked with a transaction status query."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from apps.payment.providers.base import Declined, MalformedCallback
from apps.payment.providers.mpesa_wire import NAIROBI, PaybillClaim, TransactionStatusClaim
from apps.payment.tests.mpesa.helpers import TEST_PHONE, closed_port, mpesa

OPEN_BOOKINGS = {"BK-7F3A": 150000}  # what our validation accepts: a booking reference and its amount


def validate(body: bytes) -> dict[str, str]:
    """Our validation endpoint: accept a payment of an open booking's exact amount."""
    claim = mpesa.paybill_claim(body)
    if claim.account_reference not in OPEN_BOOKINGS:
        return mpesa.paybill_validation_answer(accepted=False, result_code="C2B00012")
    if OPEN_BOOKINGS[claim.account_reference] != claim.amount_minor:
        return mpesa.paybill_validation_answer(accepted=False, result_code="C2B00013")
    return mpesa.paybill_validation_answer(accepted=True)


@pytest.fixture
def registered(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    receiver.answer("c2b/validation", validate)
    receiver.answer("c2b/confirmation", lambda body: mpesa.paybill_confirmation_answer())
    mpesa.c2b_register(account, validation_url=receiver.url("c2b/validation"),
                       confirmation_url=receiver.url("c2b/confirmation"))
    return account


def test_a_paybill_payment_is_validated_confirmed_and_checked(mpesa_emulator, receiver, registered):
    paid = mpesa_emulator.c2b_pay(amount=1500, account_reference="BK-7F3A")

    assert paid == {"transaction_id": paid["transaction_id"], "status": "completed", "confirmation_sent": True,
                    "validation": {"status": 200, "answer": {"ResultCode": "0", "ResultDesc": "Accepted"},
                                   "error": ""}}
    [confirmation] = mpesa_emulator.wait_until(lambda: receiver.received("c2b/confirmation"))
    claim = mpesa.paybill_claim(confirmation.body)
    transacted = datetime.strptime(json.loads(confirmation.body)["TransTime"], "%Y%m%d%H%M%S")
    assert claim == PaybillClaim(
        transaction_id=paid["transaction_id"], amount_minor=150000, shortcode="174379",
        account_reference="BK-7F3A", msisdn=TEST_PHONE, payer_name="John Doe",
        transacted_at=transacted.replace(tzinfo=NAIROBI))
    [validation] = receiver.received("c2b/validation")
    assert validation.body == confirmation.body

    originator = mpesa.transaction_status_request(registered, transaction_id=claim.transaction_id,
                                                  result_url=receiver.url("c2b/status/secret-3"))

    [result] = mpesa_emulator.wait_until(lambda: receiver.received("c2b/status/secret-3"))
    assert mpesa.transaction_status_claim(result.body) == TransactionStatusClaim(
        originator_conversation_id=originator, result_code="0",
        result_desc="The service request is processed successfully.", transaction_id=claim.transaction_id,
        status="Completed", amount_minor=150000, debit_party=TEST_PHONE)
    with pytest.raises(MalformedCallback):
        mpesa.callback_claim(result.body)


@pytest.mark.parametrize(("reference", "amount", "code"), [("BK-0000", 1500, "C2B00012"),
                                                           ("BK-7F3A", 1000, "C2B00013")])
def test_a_payment_our_validation_rejects_is_not_confirmed(mpesa_emulator, receiver, registered, reference, amount,
                                                           code):
    paid = mpesa_emulator.c2b_pay(amount=amount, account_reference=reference)

    assert (paid["status"], paid["confirmation_sent"]) == ("rejected", False)
    assert paid["validation"]["answer"] == {"ResultCode": code, "ResultDesc": "Rejected"}
    assert len(receiver.received("c2b/validation")) == 1
    assert receiver.received("c2b/confirmation") == []
    [payment] = mpesa_emulator.transactions()
    assert (payment["kind"], payment["status"]) == ("c2b", "rejected")


def test_a_validation_url_that_does_not_answer_cancels_the_payment(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    mpesa.c2b_register(account, validation_url=f"http://127.0.0.1:{closed_port()}/validation",
                       confirmation_url=receiver.url("c2b/confirmation"))

    paid = mpesa_emulator.c2b_pay(amount=1500, account_reference="BK-7F3A")

    assert (paid["status"], paid["confirmation_sent"], paid["validation"]["status"]) == ("cancelled", False, None)
    assert paid["validation"]["error"].startswith("ConnectError")


def test_a_rejected_payment_is_unknown_to_the_transaction_status_query(mpesa_emulator, receiver, registered):
    paid = mpesa_emulator.c2b_pay(amount=1500, account_reference="BK-0000")

    originator = mpesa.transaction_status_request(registered, transaction_id=paid["transaction_id"],
                                                  result_url=receiver.url("c2b/status"))

    [result] = mpesa_emulator.wait_until(lambda: receiver.received("c2b/status"))
    claim = mpesa.transaction_status_claim(result.body)
    assert (claim.originator_conversation_id, claim.result_code, claim.status, claim.amount_minor) == (
        originator, "R000002", "", None)


def test_registering_an_unknown_shortcode_is_declined(mpesa_emulator, receiver):
    with pytest.raises(Declined) as refused:
        mpesa.c2b_register(mpesa_emulator.account(shortcode="999999"), validation_url=receiver.url("v"),
                           confirmation_url=receiver.url("c"))

    assert (refused.value.code, refused.value.status) == ("400.002.02", 400)


def test_the_validation_and_confirmation_answers():
    assert mpesa.paybill_validation_answer(accepted=True) == {"ResultCode": "0", "ResultDesc": "Accepted"}
    assert mpesa.paybill_validation_answer(accepted=False) == {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
    assert mpesa.paybill_validation_answer(accepted=False, result_code="C2B00016") == {
        "ResultCode": "C2B00016", "ResultDesc": "Rejected"}
    assert mpesa.paybill_confirmation_answer() == {"ResultCode": "0", "ResultDesc": "Accepted"}
    with pytest.raises(ValueError, match="'1' is not a C2B rejection code"):
        mpesa.paybill_validation_answer(accepted=False, result_code="1")
