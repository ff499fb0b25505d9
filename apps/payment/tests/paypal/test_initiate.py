"""initiate(): the order PayPal creates, its replay, amounts, and every way the request can go wrong."""

from __future__ import annotations

import threading
import time

import pytest

from apps.payment.emulators.paypal import create_app
from apps.payment.providers.base import Declined, NextAction, OutcomeUnknown, Unreachable
from apps.payment.tests.fixtures.paypal import PaypalEmulator
from apps.payment.tests.paypal.builders import CANCEL_URL, RETURN_URL, charge, order_of, paypal
from transport.emulators.serving import EmulatorServer
from transport.testing.network import free_port
from transport.testing.threads import run_threads

ORDERS = "/v2/checkout/orders"
TOKEN = "/v1/oauth2/token"


def test_initiate_creates_an_order_and_sends_the_payer_to_its_payer_action_link(paypal_emulator):
    account, request = paypal_emulator.account(), charge()

    initiated = paypal().initiate(account, request)

    assert initiated.next_action == NextAction(
        "redirect", "Approve the payment on PayPal.",
        url=f"{paypal_emulator.base_url}/_emu/checkout?token={initiated.provider_ref}")
    assert initiated.raw["status"] == "PAYER_ACTION_REQUIRED"
    assert paypal_emulator.transactions() == [{
        "kind": "order", "id": initiated.provider_ref, "status": "PAYER_ACTION_REQUIRED", "amount": "25.00",
        "currency": "USD", "payer": "", "payer_id": "", "initiations": 1, "request_id": str(request.attempt_id),
        "reference_id": str(request.payment_id), "custom_id": str(request.payment_id), "invoice_id": "BK-7F3K2Q",
        "return_url": RETURN_URL, "cancel_url": CANCEL_URL, "capture": None, "capture_request_ids": [],
    }]


def test_the_same_attempt_again_is_answered_with_the_same_order(paypal_emulator):
    account, request = paypal_emulator.account(), charge()
    first = paypal().initiate(account, request)

    again = paypal().initiate(account, request)

    assert again.provider_ref == first.provider_ref
    assert again.next_action == first.next_action
    [order] = paypal_emulator.transactions()
    assert order["initiations"] == 2
    creates = [(item["status"], item["paypal_request_id"]) for item in paypal_emulator.requests()
               if item["path"] == ORDERS]
    assert creates == [(201, str(request.attempt_id)), (200, str(request.attempt_id))]


@pytest.mark.parametrize(("amount_minor", "currency", "value"), [
    (2500, "JPY", "2500"),
    (1234500, "HUF", "12345"),
    (990000, "TWD", "9900"),
    (1999, "EUR", "19.99"),
    (5, "GBP", "0.05"),
])
def test_amounts_go_in_paypals_form_of_the_currency(paypal_emulator, amount_minor, currency, value):
    initiated = paypal().initiate(paypal_emulator.account(), charge(amount_minor=amount_minor, currency=currency))

    order = order_of(paypal_emulator, initiated.provider_ref)
    assert (order["amount"], order["currency"]) == (value, currency)


def test_paypal_charges_its_own_currencies_only():
    assert paypal().charge_currencies(None) == frozenset({
        "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD",
        "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD"})


@pytest.mark.parametrize(("amount_minor", "currency", "reason"), [
    (2500, "USD", ""),
    (1234500, "HUF", ""),
    (0, "USD", "The amount must be positive."),
    (-100, "EUR", "The amount must be positive."),
    (1234550, "HUF", "PayPal takes whole HUF amounts only."),
    (990001, "TWD", "PayPal takes whole TWD amounts only."),
    (10000, "KES", "PayPal does not take KES."),
    (10000, "UGX", "PayPal does not take UGX."),
])
def test_unchargeable_amounts_say_why(amount_minor, currency, reason):
    assert paypal().unchargeable_reason(amount_minor=amount_minor, currency=currency) == reason


def test_a_currency_paypal_refuses_is_declined_and_creates_nothing(paypal_emulator):
    with pytest.raises(Declined) as refused:
        paypal().initiate(paypal_emulator.account(), charge(amount_minor=10000, currency="KES"))

    assert (refused.value.code, refused.value.status) == ("CURRENCY_NOT_SUPPORTED", 422)
    assert paypal_emulator.transactions() == []


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL_SERVER_ERROR"), (503, "SERVICE_UNAVAILABLE")])
def test_a_server_error_leaves_the_outcome_unknown(paypal_emulator, status, code):
    paypal_emulator.fail(ORDERS, status=status)

    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().initiate(paypal_emulator.account(), charge())

    assert (unknown.value.code, unknown.value.status) == (code, status)
    assert paypal_emulator.transactions() == []


def test_a_refused_connection_is_unreachable(paypal_emulator):
    account = paypal_emulator.account(base_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(Unreachable):
        paypal().initiate(account, charge())

    assert paypal_emulator.requests() == []


def test_a_lost_answer_is_unknown_while_paypal_has_the_order_and_a_retry_gets_it(paypal_emulator, settings):
    account, request = paypal_emulator.account(), charge()
    paypal_emulator.script("*", "COMPLETED", answer_delay=1.5)
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.5

    with pytest.raises(OutcomeUnknown):
        paypal().initiate(account, request)

    [order] = paypal_emulator.transactions()
    assert (order["status"], order["initiations"]) == ("PAYER_ACTION_REQUIRED", 1)
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 10
    assert paypal().initiate(account, request).provider_ref == order["id"]
    assert order_of(paypal_emulator, order["id"])["initiations"] == 2


def test_one_token_serves_every_call_of_an_account(paypal_emulator):
    account = paypal_emulator.account()

    paypal().initiate(account, charge())
    paypal().initiate(account, charge())

    assert [item["path"] for item in paypal_emulator.requests()] == [TOKEN, ORDERS, ORDERS]


def test_concurrent_first_calls_fetch_one_token(paypal_emulator):
    account = paypal_emulator.account()
    threads = [threading.Thread(target=paypal().initiate, args=(account, charge())) for _ in range(4)]

    run_threads(threads)

    paths = [item["path"] for item in paypal_emulator.requests()]
    assert (paths.count(TOKEN), paths.count(ORDERS)) == (1, 4)
    assert len(paypal_emulator.transactions()) == 4


def test_an_expired_token_is_replaced_once_and_the_call_goes_through(paypal_emulator):
    account = paypal_emulator.account()
    paypal().initiate(account, charge())
    paypal_emulator.expire_tokens()

    paypal().initiate(account, charge())

    assert [(item["path"], item["status"]) for item in paypal_emulator.requests()] == [
        (TOKEN, 200), (ORDERS, 201), (ORDERS, 401), (TOKEN, 200), (ORDERS, 201)]
    assert len(paypal_emulator.transactions()) == 2


def test_new_credentials_of_an_account_are_not_served_the_old_token(paypal_emulator):
    paypal().initiate(paypal_emulator.account(), charge())

    with pytest.raises(Declined) as refused:
        paypal().initiate(paypal_emulator.account(client_secret="rotated-but-wrong"), charge())

    assert (refused.value.code, refused.value.status) == ("invalid_client", 401)
    assert len(paypal_emulator.transactions()) == 1


def test_refused_credentials_are_declined_without_a_trace_of_the_secret(paypal_emulator):
    account = paypal_emulator.account(client_secret="EMwrongSecretValue")

    with pytest.raises(Declined) as refused:
        paypal().initiate(account, charge())

    assert (refused.value.code, refused.value.status) == ("invalid_client", 401)
    for shown in (str(refused.value), repr(refused.value), str(account), repr(account)):
        assert "EMwrongSecretValue" not in shown
    assert [item["path"] for item in paypal_emulator.requests()] == [TOKEN]


def test_a_token_endpoint_failure_is_unreachable_and_sends_no_order(paypal_emulator):
    paypal_emulator.fail(TOKEN, status=503)

    with pytest.raises(Unreachable) as unreachable:
        paypal().initiate(paypal_emulator.account(), charge())

    assert (unreachable.value.code, unreachable.value.status) == ("SERVICE_UNAVAILABLE", 503)
    assert [item["path"] for item in paypal_emulator.requests()] == [TOKEN]


def test_a_token_is_renewed_a_minute_before_it_expires():
    # tokens of 61 s: the client uses one for a second, then asks for the next
    with EmulatorServer(create_app(settle_seconds=0.2, token_seconds=61)) as server:
        emulator = PaypalEmulator(server.base_url)
        account = emulator.account()
        paypal().initiate(account, charge())
        paypal().initiate(account, charge())
        time.sleep(1.1)

        paypal().initiate(account, charge())

        assert [item["path"] for item in emulator.requests()] == [TOKEN, ORDERS, ORDERS, TOKEN, ORDERS]
