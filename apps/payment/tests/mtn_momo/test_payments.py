"""Requests to pay and their status: the real client against the MoMo emulator over HTTP."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from apps.payment.providers.base import Declined, Initiated, NextAction, Outcome, PaymentStatus
from apps.payment.providers.registry import identifiers, provider
from apps.payment.tests.mtn_momo.builders import SUCCESS_PAYER, charge_request

momo = provider("mtn_momo")


def settled_status(emulator, account, charge, timeout=5.0) -> PaymentStatus:
    answers: list[PaymentStatus] = []

    def settled() -> bool:
        answers.append(momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id))
        return answers[-1].outcome is not Outcome.PENDING

    emulator.wait_until(settled, timeout=timeout)
    return answers[-1]


def test_a_request_to_pay_is_accepted_and_settles_successful(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request(amount_minor=10050)

    initiated = momo.initiate(account, charge)

    assert initiated == Initiated(
        provider_ref=str(charge.attempt_id),
        next_action=NextAction(kind="approve_on_phone",
                               message="Approve the payment on your phone with your MoMo PIN."),
        raw={"status": 202, "code": ""})
    [held] = mtn_momo_emulator.transactions()
    assert (held["kind"], held["reference_id"], held["external_id"], held["amount"], held["currency"],
            held["payer"], held["requests"], held["callback_url"]) == (
        "payment", str(charge.attempt_id), str(charge.payment_id), "100.50", "EUR", SUCCESS_PAYER, 1, "")
    status = settled_status(mtn_momo_emulator, account, charge)
    [held] = mtn_momo_emulator.transactions()
    assert status == PaymentStatus(
        outcome=Outcome.SUCCEEDED, provider_ref=str(charge.attempt_id),
        transaction_id=held["financial_transaction_id"], amount_minor=10050, currency="EUR", payer=SUCCESS_PAYER,
        raw=status.raw)
    assert held["financial_transaction_id"].isdigit()
    assert status.raw["externalId"] == str(charge.payment_id)


def test_the_status_is_pending_before_the_payment_settles(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    mtn_momo_emulator.script(SUCCESS_PAYER, "SUCCESSFUL", delay=2)
    momo.initiate(account, charge)

    status = momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id)

    assert (status.outcome, status.transaction_id, status.amount_minor, status.currency, status.payer) == (
        Outcome.PENDING, "", 10050, "EUR", SUCCESS_PAYER)


@pytest.mark.parametrize(("payer", "reason_code"), [
    ("46733123450", "INTERNAL_PROCESSING_ERROR"),
    ("46733123451", "APPROVAL_REJECTED"),
    ("46733123452", "EXPIRED"),
    ("46733123455", "PAYER_NOT_FOUND"),
    ("46733123461", "INTERNAL_PROCESSING_ERROR"),
    ("46733123462", "SERVICE_UNAVAILABLE"),
])
def test_the_sandbox_failure_numbers_fail_with_their_reason(mtn_momo_emulator, payer, reason_code):
    account = mtn_momo_emulator.account()
    charge = charge_request(payer_phone=payer)
    momo.initiate(account, charge)

    status = settled_status(mtn_momo_emulator, account, charge)

    assert (status.outcome, status.reason_code, status.transaction_id, status.payer) == (
        Outcome.FAILED, reason_code, "", payer)
    assert status.reason != ""


def test_the_pending_sandbox_number_stays_pending(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request(payer_phone="46733123453")
    momo.initiate(account, charge)

    time.sleep(1.0)  # five settle periods of the test emulator
    status = momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id)

    assert status.outcome is Outcome.PENDING
    assert mtn_momo_emulator.transactions()[0]["status"] == "PENDING"


def test_the_delayed_sandbox_number_settles_after_ten_settle_periods(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request(payer_phone="46733123454")
    momo.initiate(account, charge)

    time.sleep(0.6)
    early = momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id)
    late = settled_status(mtn_momo_emulator, account, charge)

    assert early.outcome is Outcome.PENDING
    assert late.outcome is Outcome.SUCCEEDED


@pytest.mark.parametrize("reason_form", ["string", "object"])
def test_a_failure_reason_is_read_as_a_string_or_as_code_and_message(mtn_momo_emulator, reason_form):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    mtn_momo_emulator.script(SUCCESS_PAYER, "NOT_ENOUGH_FUNDS", reason_form=reason_form)
    momo.initiate(account, charge)

    status = settled_status(mtn_momo_emulator, account, charge)

    expected_raw = "NOT_ENOUGH_FUNDS" if reason_form == "string" else {
        "code": "NOT_ENOUGH_FUNDS", "message": "The account does not have enough funds."}
    assert status.raw["reason"] == expected_raw
    expected_reason = "Not enough funds." if reason_form == "string" else "The account does not have enough funds."
    assert (status.outcome, status.reason_code, status.reason) == (Outcome.FAILED, "NOT_ENOUGH_FUNDS",
                                                                   expected_reason)


def test_a_status_not_visible_yet_after_submission_is_pending(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    mtn_momo_emulator.script(SUCCESS_PAYER, "SUCCESSFUL", visible_after=0.5)
    momo.initiate(account, charge)

    early = momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id)
    late = settled_status(mtn_momo_emulator, account, charge)

    assert early == PaymentStatus(outcome=Outcome.PENDING, provider_ref=str(charge.attempt_id), raw={"status": 404})
    assert late.outcome is Outcome.SUCCEEDED


def test_the_status_of_a_reference_momo_never_saw_is_pending(mtn_momo_emulator):
    attempt_id = uuid.uuid4()

    status = momo.status(mtn_momo_emulator.account(), provider_ref=str(attempt_id), attempt_id=attempt_id)

    assert status == PaymentStatus(outcome=Outcome.PENDING, provider_ref=str(attempt_id), raw={"status": 404})


def test_the_same_attempt_sent_again_is_the_same_request_to_pay(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    first = momo.initiate(account, charge)

    again = momo.initiate(account, charge)

    assert again.provider_ref == first.provider_ref == str(charge.attempt_id)
    assert again.raw == {"status": 409, "code": "RESOURCE_ALREADY_EXIST"}
    [held] = mtn_momo_emulator.transactions()
    assert held["requests"] == 2


def test_the_callback_url_is_sent_only_when_there_is_one(mtn_momo_emulator, callback_receiver):
    account = mtn_momo_emulator.account()
    with_url, without_url = charge_request(callback_url=callback_receiver.url()), charge_request()

    momo.initiate(account, with_url)
    momo.initiate(account, without_url)

    by_reference = {held["reference_id"]: held["callback_url"] for held in mtn_momo_emulator.transactions()}
    assert by_reference == {str(with_url.attempt_id): callback_receiver.url(), str(without_url.attempt_id): ""}
    settled_status(mtn_momo_emulator, account, without_url)
    mtn_momo_emulator.wait_until(lambda: len(callback_receiver.received) == 1)
    assert [callback["url"] for callback in mtn_momo_emulator.callbacks()] == [callback_receiver.url()]


@pytest.mark.parametrize(("overrides", "status", "code"), [
    ({"currency": "UGX"}, 500, "INVALID_CURRENCY"),
    ({"callback_url": "ftp://example.com/callbacks/x"}, 500, "INVALID_CALLBACK_URL_HOST"),
    ({"callback_url": "not a url"}, 500, "INVALID_CALLBACK_URL_HOST"),
    ({"payer_phone": "+46 733"}, 400, "BAD_REQUEST"),
])
def test_a_request_to_pay_momo_refuses_is_declined_and_creates_nothing(mtn_momo_emulator, overrides, status, code):
    account = mtn_momo_emulator.account()

    with pytest.raises(Declined) as declined:
        momo.initiate(account, charge_request(**overrides))

    assert (declined.value.status, declined.value.code) == (status, code)
    assert mtn_momo_emulator.transactions() == []


@pytest.mark.parametrize(("credential", "status", "code"), [
    ("api_key", 401, "login_failed"),
    ("collection_subscription_key", 401, "401"),
])
def test_wrong_credentials_are_declined_and_create_nothing(mtn_momo_emulator, credential, status, code):
    account = mtn_momo_emulator.account(**{credential: "wrong-value"})

    with pytest.raises(Declined) as declined:
        momo.initiate(account, charge_request())

    assert (declined.value.status, declined.value.code) == (status, code)
    assert mtn_momo_emulator.transactions() == []


def test_another_target_environment_is_declined(mtn_momo_emulator):
    account = mtn_momo_emulator.account(target_environment="mtnuganda")

    with pytest.raises(Declined) as declined:
        momo.initiate(account, charge_request())

    assert (declined.value.status, declined.value.code) == (403, "NOT_ALLOWED_TARGET_ENVIRONMENT")
    assert mtn_momo_emulator.transactions() == []


def test_the_charge_currency_is_the_accounts_one(mtn_momo_emulator):
    assert momo.charge_currencies(mtn_momo_emulator.account()) == frozenset({"EUR"})
    assert momo.charge_currencies(mtn_momo_emulator.account(currency="UGX")) == frozenset({"UGX"})


def test_the_provider_is_registered_with_its_fields_and_timing():
    assert "mtn_momo" in identifiers()
    assert [(field.name, field.secret) for field in momo.credential_fields] == [
        ("api_user", False), ("api_key", True), ("collection_subscription_key", True),
        ("disbursement_subscription_key", True), ("target_environment", False), ("currency", False)]
    assert (momo.first_poll_after, momo.window, momo.next_action_kind) == (
        timedelta(seconds=30), timedelta(minutes=10), "approve_on_phone")
