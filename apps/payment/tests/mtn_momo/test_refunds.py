"""Refunds through Disbursement: the real client against the MoMo emulator over HTTP."""

from __future__ import annotations

import uuid

import pytest

from apps.payment.providers.base import (
    ChargeRequest,
    Declined,
    Outcome,
    OutcomeUnknown,
    RefundStatus,
    Unreachable,
)
from apps.payment.providers.registry import provider
from apps.payment.tests.mtn_momo.builders import SUCCESS_PAYER, charge_request, refund_request

momo = provider("mtn_momo")


def paid(emulator, account, **overrides) -> ChargeRequest:
    charge = charge_request(**overrides)
    momo.initiate(account, charge)
    emulator.wait_until(lambda: momo.status(
        account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id).outcome is Outcome.SUCCEEDED)
    return charge


def settled_refund(emulator, account, refund_id: uuid.UUID) -> RefundStatus:
    answers: list[RefundStatus] = []

    def settled() -> bool:
        answers.append(momo.refund_status(account, provider_ref=str(refund_id), refund_id=refund_id))
        return answers[-1].outcome is not Outcome.PENDING

    emulator.wait_until(settled)
    return answers[-1]


def refunds_held(emulator) -> list[dict]:
    return [held for held in emulator.transactions() if held["kind"] == "refund"]


def test_a_refund_is_accepted_pending_and_settles_successful(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account, amount_minor=10050)
    refund = refund_request(str(charge.attempt_id), amount_minor=4025)

    accepted = momo.refund(account, refund)

    assert accepted == RefundStatus(outcome=Outcome.PENDING, provider_ref=str(refund.refund_id),
                                    raw={"status": 202, "code": ""})
    [held] = refunds_held(mtn_momo_emulator)
    assert (held["reference_id"], held["external_id"], held["refund_of"], held["amount"], held["currency"],
            held["payer"], held["requests"]) == (
        str(refund.refund_id), str(refund.refund_id), str(charge.attempt_id), "40.25", "EUR", SUCCESS_PAYER, 1)
    status = settled_refund(mtn_momo_emulator, account, refund.refund_id)
    [held] = refunds_held(mtn_momo_emulator)
    assert status == RefundStatus(outcome=Outcome.SUCCEEDED, provider_ref=str(refund.refund_id),
                                  transaction_id=held["financial_transaction_id"], raw=status.raw)
    assert status.raw["payee"] == {"partyIdType": "MSISDN", "partyId": SUCCESS_PAYER}
    assert mtn_momo_emulator.tokens_issued() == {"collection": 1, "disbursement": 1}


def test_the_same_refund_sent_again_is_the_same_refund(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account)
    refund = refund_request(str(charge.attempt_id))
    momo.refund(account, refund)

    again = momo.refund(account, refund)

    assert again == RefundStatus(outcome=Outcome.PENDING, provider_ref=str(refund.refund_id),
                                 raw={"status": 409, "code": "RESOURCE_ALREADY_EXIST"})
    assert [held["requests"] for held in refunds_held(mtn_momo_emulator)] == [2]


def test_refunds_beyond_the_payment_are_declined(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account, amount_minor=10000)
    momo.refund(account, refund_request(str(charge.attempt_id), amount_minor=6000))

    with pytest.raises(Declined) as declined:
        momo.refund(account, refund_request(str(charge.attempt_id), amount_minor=4001))

    assert (declined.value.status, declined.value.code) == (400, "NOT_ALLOWED")
    assert [held["amount"] for held in refunds_held(mtn_momo_emulator)] == ["60.00"]
    momo.refund(account, refund_request(str(charge.attempt_id), amount_minor=4000))
    assert [held["amount"] for held in refunds_held(mtn_momo_emulator)] == ["60.00", "40.00"]


def test_a_refund_of_an_unknown_payment_is_declined(mtn_momo_emulator):
    account = mtn_momo_emulator.account()

    with pytest.raises(Declined) as declined:
        momo.refund(account, refund_request(str(uuid.uuid4())))

    assert (declined.value.status, declined.value.code) == (404, "RESOURCE_NOT_FOUND")
    assert refunds_held(mtn_momo_emulator) == []


def test_a_refund_of_a_failed_payment_is_declined(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request(payer_phone="46733123451")
    momo.initiate(account, charge)
    mtn_momo_emulator.wait_until(lambda: mtn_momo_emulator.transactions()[0]["status"] == "FAILED")

    with pytest.raises(Declined) as declined:
        momo.refund(account, refund_request(str(charge.attempt_id), payer="46733123451"))

    assert (declined.value.status, declined.value.code) == (400, "NOT_ALLOWED")
    assert refunds_held(mtn_momo_emulator) == []


def test_a_refund_momo_cannot_pay_out_fails_with_its_reason(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account)
    mtn_momo_emulator.script(SUCCESS_PAYER, "NOT_ENOUGH_FUNDS", reason_form="object")
    refund = refund_request(str(charge.attempt_id))
    momo.refund(account, refund)

    status = settled_refund(mtn_momo_emulator, account, refund.refund_id)

    assert (status.outcome, status.transaction_id, status.reason_code, status.reason) == (
        Outcome.FAILED, "", "NOT_ENOUGH_FUNDS", "The account does not have enough funds.")
    # what failed is refundable again
    momo.refund(account, refund_request(str(charge.attempt_id)))


def test_the_status_of_a_refund_momo_never_saw_is_pending(mtn_momo_emulator):
    refund_id = uuid.uuid4()

    status = momo.refund_status(mtn_momo_emulator.account(), provider_ref=str(refund_id), refund_id=refund_id)

    assert status == RefundStatus(outcome=Outcome.PENDING, provider_ref=str(refund_id), raw={"status": 404})


def test_a_server_error_on_refund_is_an_unknown_outcome(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account)
    mtn_momo_emulator.fail("/disbursement/v1_0/refund", status=500)

    with pytest.raises(OutcomeUnknown) as unknown:
        momo.refund(account, refund_request(str(charge.attempt_id)))

    assert (unknown.value.status, unknown.value.code) == (500, "INTERNAL_PROCESSING_ERROR")
    assert refunds_held(mtn_momo_emulator) == []


def test_a_server_error_on_the_refund_status_is_an_unknown_outcome(mtn_momo_emulator):
    refund_id = uuid.uuid4()
    mtn_momo_emulator.fail("/disbursement/v1_0/refund/", status=503)

    with pytest.raises(OutcomeUnknown) as unknown:
        momo.refund_status(mtn_momo_emulator.account(), provider_ref=str(refund_id), refund_id=refund_id)

    assert (unknown.value.status, unknown.value.code) == (503, "SERVICE_UNAVAILABLE")


def test_a_lost_refund_answer_is_an_unknown_outcome_while_the_refund_goes_on(mtn_momo_emulator, settings):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account)
    momo.refund_status(account, provider_ref=str(uuid.uuid4()), refund_id=uuid.uuid4())  # the token, in time
    mtn_momo_emulator.script(SUCCESS_PAYER, "SUCCESSFUL", answer_delay=1.0)
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.3
    refund = refund_request(str(charge.attempt_id))

    with pytest.raises(OutcomeUnknown):
        momo.refund(account, refund)

    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 5
    assert settled_refund(mtn_momo_emulator, account, refund.refund_id).outcome is Outcome.SUCCEEDED
    assert [held["reference_id"] for held in refunds_held(mtn_momo_emulator)] == [str(refund.refund_id)]


def test_refunds_need_the_disbursement_key_and_payments_do_not(mtn_momo_emulator):
    account = mtn_momo_emulator.account(disbursement_subscription_key="wrong")
    charge = paid(mtn_momo_emulator, account)

    with pytest.raises(Declined) as declined:
        momo.refund(account, refund_request(str(charge.attempt_id)))

    assert declined.value.status == 401
    assert refunds_held(mtn_momo_emulator) == []


def test_a_failed_disbursement_token_means_the_refund_was_not_sent(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = paid(mtn_momo_emulator, account)
    mtn_momo_emulator.fail("/disbursement/token/", status=500)

    with pytest.raises(Unreachable):
        momo.refund(account, refund_request(str(charge.attempt_id)))

    assert refunds_held(mtn_momo_emulator) == []
