"""Webhooks: registration, delivery to our endpoint, claims parsed from them, and their verification."""

from __future__ import annotations

import json

import pytest

from apps.payment.emulators.paypal_state import payer_id_of
from apps.payment.providers.base import CallbackClaim, ClaimKind, Declined, MalformedCallback, Outcome
from apps.payment.tests.paypal.builders import approved, paid, paypal, refund_request

VERIFY = "/v1/notifications/verify-webhook-signature"
ALICE = "alice@example.com"


@pytest.fixture
def hooked(paypal_emulator, paypal_webhook_receiver):
    """An account whose webhook (registered through the client) points at the receiver."""
    webhook_id = paypal().webhook_register(paypal_emulator.account(), url=paypal_webhook_receiver.url,
                                           event_types=["*"])
    paypal_emulator.webhook_id = webhook_id
    return paypal_emulator.account()


def received(receiver, count, emulator):
    emulator.wait_until(lambda: len(receiver.received) >= count)
    return receiver.received


def test_a_paid_order_sends_approved_then_completed(paypal_emulator, paypal_webhook_receiver, hooked):
    request, payment = paid(paypal_emulator, hooked)

    approved_hook, completed_hook = received(paypal_webhook_receiver, 2, paypal_emulator)

    approved_claim = paypal().callback_claim(approved_hook.body)
    completed_claim = paypal().callback_claim(completed_hook.body)
    assert approved_claim == CallbackClaim(
        ClaimKind.PAYMENT, payment.provider_ref, outcome=Outcome.PENDING, amount_minor=2500, currency="USD",
        payer=payer_id_of("sb-buyer@example.com"), event_id=json.loads(approved_hook.body)["id"],
        event_type="CHECKOUT.ORDER.APPROVED")
    assert completed_claim == CallbackClaim(
        ClaimKind.PAYMENT, payment.provider_ref, outcome=Outcome.SUCCEEDED, transaction_id=payment.transaction_id,
        amount_minor=2500, currency="USD", event_id=json.loads(completed_hook.body)["id"],
        event_type="PAYMENT.CAPTURE.COMPLETED")
    assert completed_claim.event_id.startswith("WH-")
    assert paypal_webhook_receiver.received[0].path == "/paypal/webhook"
    for hook in (approved_hook, completed_hook):
        assert paypal().webhook_verified(hooked, headers=hook.headers, body=hook.body) is True


@pytest.mark.parametrize(("scripted", "event_types", "outcomes"), [
    ("DECLINED", ["PAYMENT.CAPTURE.DECLINED"], [Outcome.FAILED]),
    ("PENDING", ["PAYMENT.CAPTURE.PENDING"], [Outcome.PENDING]),
])
def test_capture_events_carry_the_capture_outcome(paypal_emulator, paypal_webhook_receiver, hooked, scripted,
                                                  event_types, outcomes):
    paypal_emulator.script(ALICE, scripted)
    request, initiated = approved(paypal_emulator, hooked, payer=ALICE)
    paypal().status(hooked, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    hooks = received(paypal_webhook_receiver, 2, paypal_emulator)[1:]

    claims = [paypal().callback_claim(hook.body) for hook in hooks]
    assert [(claim.event_type, claim.outcome, claim.provider_ref) for claim in claims] == [
        (event_type, outcome, initiated.provider_ref) for event_type, outcome in zip(event_types, outcomes,
                                                                                     strict=True)]


def test_a_pending_capture_that_is_refused_later_is_denied(paypal_emulator, paypal_webhook_receiver, hooked):
    paypal_emulator.script(ALICE, "DECLINED", delay=0.2)
    request, initiated = approved(paypal_emulator, hooked, payer=ALICE)
    paypal().status(hooked, provider_ref=initiated.provider_ref, attempt_id=request.attempt_id)

    hooks = received(paypal_webhook_receiver, 3, paypal_emulator)[1:]

    assert [(claim.event_type, claim.outcome) for claim in map(paypal().callback_claim, (h.body for h in hooks))] == [
        ("PAYMENT.CAPTURE.PENDING", Outcome.PENDING), ("PAYMENT.CAPTURE.DENIED", Outcome.FAILED)]


def test_duplicated_deliveries_carry_one_event_id(paypal_emulator, paypal_webhook_receiver, hooked):
    paypal_emulator.script(ALICE, "COMPLETED", callback_copies=2)
    paid(paypal_emulator, hooked, payer=ALICE)

    _, first, second = received(paypal_webhook_receiver, 3, paypal_emulator)

    assert first.body == second.body
    assert paypal().callback_claim(first.body).event_id == paypal().callback_claim(second.body).event_id
    assert paypal().webhook_verified(hooked, headers=second.headers, body=second.body) is True


def test_a_completed_refund_sends_a_refund_claim(paypal_emulator, paypal_webhook_receiver, hooked):
    _, payment = paid(paypal_emulator, hooked, payer=ALICE)
    paypal_emulator.script(ALICE, "REFUND_COMPLETED")
    refund = paypal().refund(hooked, refund_request(payment, amount_minor=1000))

    hook = received(paypal_webhook_receiver, 3, paypal_emulator)[2]

    assert paypal().callback_claim(hook.body) == CallbackClaim(
        ClaimKind.REFUND, refund.provider_ref, outcome=Outcome.SUCCEEDED, transaction_id=refund.provider_ref,
        amount_minor=1000, currency="USD", event_id=json.loads(hook.body)["id"],
        event_type="PAYMENT.CAPTURE.REFUNDED")
    assert paypal().webhook_verified(hooked, headers=hook.headers, body=hook.body) is True


def test_a_changed_body_is_not_verified(paypal_emulator, paypal_webhook_receiver, hooked):
    paid(paypal_emulator, hooked)
    hook = received(paypal_webhook_receiver, 2, paypal_emulator)[1]
    forged = hook.body.replace(b'"value": "25.00"', b'"value": "2500.00"')
    assert forged != hook.body

    assert paypal().webhook_verified(hooked, headers=hook.headers, body=forged) is False


def test_headers_of_another_delivery_are_not_verified(paypal_emulator, paypal_webhook_receiver, hooked):
    paid(paypal_emulator, hooked)
    approved_hook, completed_hook = received(paypal_webhook_receiver, 2, paypal_emulator)

    assert paypal().webhook_verified(hooked, headers=approved_hook.headers, body=completed_hook.body) is False


def test_an_event_for_another_webhook_is_not_verified(paypal_emulator, paypal_webhook_receiver, hooked):
    paid(paypal_emulator, hooked)
    hook = received(paypal_webhook_receiver, 2, paypal_emulator)[1]

    other = paypal_emulator.account(webhook_id="9NH78349H0388254K")
    assert paypal().webhook_verified(other, headers=hook.headers, body=hook.body) is False


def test_signature_headers_are_read_whatever_their_case(paypal_emulator, paypal_webhook_receiver, hooked):
    paid(paypal_emulator, hooked)
    hook = received(paypal_webhook_receiver, 2, paypal_emulator)[1]

    upper = {name.upper(): value for name, value in hook.headers.items()}
    assert paypal().webhook_verified(hooked, headers=upper, body=hook.body) is True


@pytest.mark.parametrize("missing", ["paypal-auth-algo", "paypal-cert-url", "paypal-transmission-id",
                                     "paypal-transmission-sig", "paypal-transmission-time"])
def test_a_missing_signature_header_is_refused_without_asking(paypal_emulator, paypal_webhook_receiver, hooked,
                                                              missing):
    paid(paypal_emulator, hooked)
    hook = received(paypal_webhook_receiver, 2, paypal_emulator)[1]
    headers = {name: value for name, value in hook.headers.items() if name != missing}

    assert paypal().webhook_verified(hooked, headers=headers, body=hook.body) is False
    assert [item for item in paypal_emulator.requests() if item["path"] == VERIFY] == []


def test_an_account_without_a_webhook_id_verifies_nothing(paypal_emulator, paypal_webhook_receiver, hooked):
    paid(paypal_emulator, hooked)
    hook = received(paypal_webhook_receiver, 2, paypal_emulator)[1]

    assert paypal().webhook_verified(paypal_emulator.account(webhook_id=""), headers=hook.headers,
                                     body=hook.body) is False
    assert [item for item in paypal_emulator.requests() if item["path"] == VERIFY] == []


def test_held_webhooks_are_recorded_and_not_sent(paypal_emulator, paypal_webhook_receiver, hooked):
    paypal_emulator.hold_callbacks()

    _, payment = paid(paypal_emulator, hooked)

    held = paypal_emulator.callbacks()
    assert [(item["url"], item["delivered_status"]) for item in held] == [(paypal_webhook_receiver.url, None)] * 2
    claim = paypal().callback_claim(held[1]["body"].encode())
    assert (claim.event_type, claim.transaction_id) == ("PAYMENT.CAPTURE.COMPLETED", payment.transaction_id)
    assert paypal_webhook_receiver.received == []


def test_a_simulated_event_is_delivered_and_verified(paypal_emulator, paypal_webhook_receiver, hooked):
    sent = paypal_emulator.simulate("PAYMENT.CAPTURE.COMPLETED", webhook_id=paypal_emulator.webhook_id)

    [hook] = received(paypal_webhook_receiver, 1, paypal_emulator)

    claim = paypal().callback_claim(hook.body)
    assert (claim.event_id, claim.outcome, claim.provider_ref, claim.transaction_id, claim.amount_minor) == (
        sent["id"], Outcome.SUCCEEDED, sent["resource"]["supplementary_data"]["related_ids"]["order_id"],
        sent["resource"]["id"], 10000)
    assert paypal().webhook_verified(hooked, headers=hook.headers, body=hook.body) is True


def test_webhooks_go_only_to_the_events_registered(paypal_emulator, paypal_webhook_receiver):
    paypal_emulator.register_webhook(paypal_webhook_receiver.url, event_types=("PAYMENT.CAPTURE.COMPLETED",))

    paid(paypal_emulator, paypal_emulator.account())

    [hook] = received(paypal_webhook_receiver, 1, paypal_emulator)
    assert json.loads(hook.body)["event_type"] == "PAYMENT.CAPTURE.COMPLETED"


def test_registering_the_same_url_twice_is_declined(paypal_emulator, paypal_webhook_receiver, hooked):
    with pytest.raises(Declined) as refused:
        paypal().webhook_register(hooked, url=paypal_webhook_receiver.url, event_types=["*"])

    assert (refused.value.code, refused.value.status) == ("WEBHOOK_URL_ALREADY_EXISTS", 400)


def test_an_event_we_do_not_act_on_parses_without_an_outcome():
    body = json.dumps({"id": "WH-0UF42355K9063543K-1S478455NT1962422", "event_type": "CHECKOUT.ORDER.COMPLETED",
                       "resource_type": "checkout-order", "resource": {"id": "5O190127TN364715T"}}).encode()

    assert paypal().callback_claim(body) == CallbackClaim(
        ClaimKind.PAYMENT, "5O190127TN364715T", outcome=None, event_id="WH-0UF42355K9063543K-1S478455NT1962422",
        event_type="CHECKOUT.ORDER.COMPLETED")


def test_a_reversal_names_its_order_without_an_outcome(paypal_emulator, paypal_webhook_receiver, hooked):
    sent = paypal_emulator.simulate("PAYMENT.CAPTURE.REVERSED", webhook_id=paypal_emulator.webhook_id)

    [hook] = received(paypal_webhook_receiver, 1, paypal_emulator)

    assert paypal().callback_claim(hook.body) == CallbackClaim(
        ClaimKind.PAYMENT, "", outcome=None, event_id=sent["id"], event_type="PAYMENT.CAPTURE.REVERSED")


@pytest.mark.parametrize("body", [
    b"not json",
    b"[]",
    b'"WH-1"',
    b'{"event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {}}',
    b'{"id": "WH-1", "resource": {}}',
    b'{"id": "", "event_type": "PAYMENT.CAPTURE.COMPLETED"}',
    b'{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "3C679366HH908993F"}}',
    b'{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.REFUNDED", "resource": {"status": "COMPLETED"}}',
    b'{"id": "WH-1", "event_type": "CHECKOUT.ORDER.APPROVED", "resource": []}',
])
def test_a_body_that_is_not_a_paypal_event_is_malformed(body):
    with pytest.raises(MalformedCallback):
        paypal().callback_claim(body)
