"""status(): the order as PayPal holds it, captured once approved, and every capture outcome."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest

from apps.payment.emulators.paypal_state import payer_id_of
from apps.payment.providers.base import Outcome, OutcomeUnknown
from apps.payment.tests.paypal.builders import CANCEL_URL, RETURN_URL, approved, charge, order_of, paypal

ALICE = "alice@example.com"


def test_an_order_the_payer_has_not_approved_is_pending_and_not_captured(paypal_emulator):
    account, request = paypal_emulator.account(), charge()
    initiated = paypal().initiate(account, request)

    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert (status.outcome, status.provider_ref, status.transaction_id, status.reason_code) == (
        Outcome.PENDING, initiated.provider_ref, "", "PAYER_ACTION_REQUIRED")
    assert order_of(paypal_emulator, initiated.provider_ref)["capture_request_ids"] == []


def test_the_payer_comes_back_to_the_return_url_after_approving(paypal_emulator):
    initiated = paypal().initiate(paypal_emulator.account(), charge())

    back = paypal_emulator.approve(initiated.provider_ref)

    assert back.status_code == 302
    assert back.headers["location"] == (
        f"{RETURN_URL}?token={initiated.provider_ref}&PayerID={payer_id_of('sb-buyer@example.com')}")
    assert order_of(paypal_emulator, initiated.provider_ref)["status"] == "APPROVED"


def test_an_approved_order_is_captured_once_and_succeeds(paypal_emulator):
    account = paypal_emulator.account()
    request, initiated = approved(paypal_emulator, account)

    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)
    again = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    order = order_of(paypal_emulator, initiated.provider_ref)
    assert order["capture"] == {"id": status.transaction_id, "status": "COMPLETED", "reason": ""}
    assert order["capture_request_ids"] == [f"{request.attempt_id}-capture"]
    assert (status.outcome, status.provider_ref, status.amount_minor, status.currency, status.payer,
            status.reason_code) == (Outcome.SUCCEEDED, initiated.provider_ref, 2500, "USD",
                                    payer_id_of("sb-buyer@example.com"), "")
    assert again == status


def test_a_whole_unit_currency_is_read_back_in_minor_units(paypal_emulator):
    account = paypal_emulator.account()
    request, initiated = approved(paypal_emulator, account, amount_minor=1234500, currency="HUF")

    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert (status.outcome, status.amount_minor, status.currency) == (Outcome.SUCCEEDED, 1234500, "HUF")


@pytest.mark.parametrize(("scripted", "outcome", "reason_code", "capture"), [
    ("PENDING", Outcome.PENDING, "PENDING_REVIEW", {"status": "PENDING", "reason": "PENDING_REVIEW"}),
    ("DECLINED", Outcome.FAILED, "DECLINED", {"status": "DECLINED", "reason": ""}),
    ("INSTRUMENT_DECLINED", Outcome.FAILED, "INSTRUMENT_DECLINED", None),
    ("TRANSACTION_REFUSED", Outcome.FAILED, "TRANSACTION_REFUSED", None),
])
def test_the_capture_decides_the_outcome(paypal_emulator, scripted, outcome, reason_code, capture):
    account = paypal_emulator.account()
    paypal_emulator.script(ALICE, scripted)
    request, initiated = approved(paypal_emulator, account, payer=ALICE)

    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)
    again = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert (status.outcome, status.reason_code, status.transaction_id, status.amount_minor) == (
        outcome, reason_code, "", None)
    assert (again.outcome, again.reason_code) == (outcome, reason_code)
    order = order_of(paypal_emulator, initiated.provider_ref)
    held = None if order["capture"] is None else {key: order["capture"][key] for key in ("status", "reason")}
    assert held == capture
    assert order["capture_request_ids"] == [f"{request.attempt_id}-capture"]


def test_a_script_for_another_payer_changes_nothing(paypal_emulator):
    account = paypal_emulator.account()
    paypal_emulator.script(ALICE, "DECLINED")
    request, initiated = approved(paypal_emulator, account)

    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert status.outcome is Outcome.SUCCEEDED


def test_a_pending_capture_succeeds_when_it_settles(paypal_emulator):
    account = paypal_emulator.account()
    paypal_emulator.script(ALICE, "COMPLETED", delay=0.3)
    request, initiated = approved(paypal_emulator, account, payer=ALICE)

    def status():
        return paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    first = status()
    settled = paypal_emulator.wait_until(lambda: (answer := status()).outcome is Outcome.SUCCEEDED and answer)

    assert (first.outcome, first.reason_code) == (Outcome.PENDING, "PENDING_REVIEW")
    assert settled.transaction_id == order_of(paypal_emulator, initiated.provider_ref)["capture"]["id"]


def test_a_cancelled_approval_sends_the_payer_to_the_cancel_url_and_stays_pending(paypal_emulator):
    account, request = paypal_emulator.account(), charge()
    initiated = paypal().initiate(account, request)

    back = paypal_emulator.cancel(initiated.provider_ref)
    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert (back.status_code, back.headers["location"]) == (302, f"{CANCEL_URL}?token={initiated.provider_ref}")
    assert (status.outcome, status.reason_code) == (Outcome.PENDING, "PAYER_ACTION_REQUIRED")
    assert order_of(paypal_emulator, initiated.provider_ref)["status"] == "PAYER_ACTION_REQUIRED"


def test_an_order_captured_between_our_reading_and_our_capture_answers_that_capture(paypal_emulator):
    account = paypal_emulator.account()
    request, initiated = approved(paypal_emulator, account)
    order_path = f"/v2/checkout/orders/{initiated.provider_ref}"
    paypal_emulator.stall(order_path, seconds=1.0)
    answers = []
    reader = threading.Thread(target=lambda: answers.append(paypal().status(
        account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)))
    reader.start()
    paypal_emulator.wait_until(lambda: any(item["path"] == order_path for item in paypal_emulator.requests()))

    other_attempt = uuid4()
    first = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=other_attempt)
    reader.join(timeout=10)
    assert not reader.is_alive()

    [late] = answers
    assert (late.outcome, late.transaction_id) == (Outcome.SUCCEEDED, first.transaction_id)
    assert order_of(paypal_emulator, initiated.provider_ref)["capture_request_ids"] == [
        f"{other_attempt}-capture", f"{request.attempt_id}-capture"]
    captures = [item["status"] for item in paypal_emulator.requests() if item["path"] == f"{order_path}/capture"]
    assert captures == [201, 422]


def test_a_failing_capture_leaves_the_outcome_unknown_and_the_next_status_captures(paypal_emulator):
    account = paypal_emulator.account()
    request, initiated = approved(paypal_emulator, account)
    paypal_emulator.fail(f"/v2/checkout/orders/{initiated.provider_ref}/capture", status=500)

    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    assert (unknown.value.code, unknown.value.status) == ("INTERNAL_SERVER_ERROR", 500)
    assert order_of(paypal_emulator, initiated.provider_ref)["status"] == "APPROVED"
    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)
    assert status.outcome is Outcome.SUCCEEDED


def test_a_lost_capture_answer_is_unknown_and_the_next_status_reads_the_capture(paypal_emulator, settings):
    account = paypal_emulator.account()
    paypal_emulator.script(ALICE, "COMPLETED", answer_delay=1.5)
    request, initiated = approved(paypal_emulator, account, payer=ALICE)
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.5

    with pytest.raises(OutcomeUnknown):
        paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    order = order_of(paypal_emulator, initiated.provider_ref)
    assert (order["status"], order["capture"]["status"]) == ("COMPLETED", "COMPLETED")
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 10
    status = paypal().status(account, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)
    assert (status.outcome, status.transaction_id) == (Outcome.SUCCEEDED, order["capture"]["id"])
    assert order_of(paypal_emulator, initiated.provider_ref)["capture_request_ids"] == [
        f"{request.attempt_id}-capture"]


def test_an_order_paypal_does_not_know_is_an_unknown_outcome(paypal_emulator):
    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().status(paypal_emulator.account(), provider_ref="5O190127TN364715T", attempt_id=uuid4())

    assert (unknown.value.code, unknown.value.status) == ("INVALID_RESOURCE_ID", 404)
