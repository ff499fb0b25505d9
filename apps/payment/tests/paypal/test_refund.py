"""refund() and refund_status(): capture refunds, their outcomes, limits and replays."""

from __future__ import annotations

from uuid import uuid4

import pytest

from apps.payment.providers.base import Declined, Outcome, OutcomeUnknown
from apps.payment.tests.paypal.builders import order_of, paid, paypal, refund_request, refunds

ALICE = "alice@example.com"


def test_a_refund_is_pending_then_completes(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account)
    request = refund_request(payment)

    pending = paypal().refund(account, request)

    [held] = refunds(paypal_emulator)
    assert held == {"kind": "refund", "id": pending.provider_ref, "status": "PENDING", "amount": "25.00",
                    "currency": "USD", "capture_id": payment.transaction_id, "order_id": payment.provider_ref,
                    "payer": "sb-buyer@example.com", "request_id": str(request.refund_id), "requests": 1,
                    "note": "Refund"}
    assert (pending.outcome, pending.transaction_id, pending.reason_code) == (Outcome.PENDING, "", "ECHECK")
    done = paypal_emulator.wait_until(lambda: (answer := paypal().refund_status(
        account, provider_ref=pending.provider_ref, refund_id=request.refund_id)).outcome is Outcome.SUCCEEDED
        and answer)
    assert (done.provider_ref, done.transaction_id, done.reason_code) == (pending.provider_ref,
                                                                          pending.provider_ref, "")
    assert order_of(paypal_emulator, payment.provider_ref)["capture"]["status"] == "REFUNDED"


@pytest.mark.parametrize(("scripted", "outcome", "held"), [
    ("REFUND_COMPLETED", Outcome.SUCCEEDED, "COMPLETED"),
    ("REFUND_FAILED", Outcome.FAILED, "FAILED"),
    ("REFUND_CANCELLED", Outcome.FAILED, "CANCELLED"),
    ("REFUND_PENDING", Outcome.PENDING, "PENDING"),
])
def test_the_refund_answers_its_status(paypal_emulator, scripted, outcome, held):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account, payer=ALICE)
    paypal_emulator.script(ALICE, scripted)
    request = refund_request(payment)

    answer = paypal().refund(account, request)
    later = paypal().refund_status(account, provider_ref=answer.provider_ref, refund_id=request.refund_id)

    assert answer.outcome is outcome
    assert answer.transaction_id == (answer.provider_ref if outcome is Outcome.SUCCEEDED else "")
    assert (later.outcome, later.provider_ref) == (outcome, answer.provider_ref)
    assert [item["status"] for item in refunds(paypal_emulator)] == [held]


def test_partial_refunds_up_to_the_captured_amount_and_not_beyond(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account, payer=ALICE)
    paypal_emulator.script(ALICE, "REFUND_COMPLETED", times=2)

    first = paypal().refund(account, refund_request(payment, amount_minor=1000))
    with pytest.raises(Declined) as exceeded:
        paypal().refund(account, refund_request(payment, amount_minor=1501))
    second = paypal().refund(account, refund_request(payment, amount_minor=1500))
    with pytest.raises(Declined) as spent:
        paypal().refund(account, refund_request(payment, amount_minor=1))

    assert (first.outcome, second.outcome) == (Outcome.SUCCEEDED, Outcome.SUCCEEDED)
    assert (exceeded.value.code, exceeded.value.status) == ("REFUND_AMOUNT_EXCEEDED", 422)
    assert (spent.value.code, spent.value.status) == ("CAPTURE_FULLY_REFUNDED", 422)
    assert [item["amount"] for item in refunds(paypal_emulator)] == ["10.00", "15.00"]
    assert order_of(paypal_emulator, payment.provider_ref)["capture"]["status"] == "REFUNDED"


def test_the_same_refund_again_is_answered_with_the_same_refund(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account)
    request = refund_request(payment, amount_minor=700)

    first = paypal().refund(account, request)
    again = paypal().refund(account, request)

    assert again.provider_ref == first.provider_ref
    [held] = refunds(paypal_emulator)
    assert (held["amount"], held["requests"]) == ("7.00", 2)


def test_a_whole_unit_currency_refund(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account, amount_minor=2500, currency="JPY")

    paypal().refund(account, refund_request(payment, amount_minor=1000))

    assert [(item["amount"], item["currency"]) for item in refunds(paypal_emulator)] == [("1000", "JPY")]


def test_a_server_error_on_refund_is_unknown_and_refunds_nothing(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account)
    paypal_emulator.fail("/v2/payments/captures/", status=500)

    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().refund(account, refund_request(payment))

    assert (unknown.value.code, unknown.value.status) == ("INTERNAL_SERVER_ERROR", 500)
    assert refunds(paypal_emulator) == []


def test_a_refund_of_a_capture_paypal_does_not_know_is_declined(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account)

    with pytest.raises(Declined) as refused:
        paypal().refund(account, refund_request(payment, transaction_id="0AB12345CD678901E"))

    assert (refused.value.code, refused.value.status) == ("INVALID_RESOURCE_ID", 404)
    assert refunds(paypal_emulator) == []


def test_a_refund_paypal_does_not_know_is_an_unknown_outcome(paypal_emulator):
    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().refund_status(paypal_emulator.account(), provider_ref="1JU08902781691411", refund_id=uuid4())

    assert (unknown.value.code, unknown.value.status) == ("INVALID_RESOURCE_ID", 404)
