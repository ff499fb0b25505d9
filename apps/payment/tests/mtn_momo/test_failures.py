"""Failures between us and MoMo: server errors, refused connections, lost answers, expired tokens, secrets."""

from __future__ import annotations

import socket
import uuid

import pytest

from apps.payment.emulators.mtn_momo_state import (
    SANDBOX_API_KEY,
    SANDBOX_COLLECTION_KEY,
    SANDBOX_DISBURSEMENT_KEY,
)
from apps.payment.providers.base import Declined, Outcome, OutcomeUnknown, ProviderError, Unreachable
from apps.payment.providers.mtn_momo_wire import Token, TokenCache
from apps.payment.providers.registry import provider
from apps.payment.tests.mtn_momo.builders import charge_request, refund_request

momo = provider("mtn_momo")


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL_PROCESSING_ERROR"), (503, "SERVICE_UNAVAILABLE")])
def test_a_server_error_on_request_to_pay_is_an_unknown_outcome(mtn_momo_emulator, status, code):
    account = mtn_momo_emulator.account()
    mtn_momo_emulator.fail("/collection/v1_0/requesttopay", status=status)

    with pytest.raises(OutcomeUnknown) as unknown:
        momo.initiate(account, charge_request())

    assert (unknown.value.status, unknown.value.code) == (status, code)
    assert mtn_momo_emulator.transactions() == []


def test_a_server_error_on_the_token_means_the_request_to_pay_was_not_sent(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    mtn_momo_emulator.fail("/collection/token/", status=503)

    with pytest.raises(Unreachable) as unreachable:
        momo.initiate(account, charge_request())

    assert (unreachable.value.status, unreachable.value.code) == (503, "SERVICE_UNAVAILABLE")
    assert mtn_momo_emulator.transactions() == []


def test_a_server_error_on_the_status_query_is_an_unknown_outcome(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    momo.initiate(account, charge)
    mtn_momo_emulator.fail("/collection/v1_0/requesttopay/", status=500)

    with pytest.raises(OutcomeUnknown) as unknown:
        momo.status(account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id)

    assert (unknown.value.status, unknown.value.code) == (500, "INTERNAL_PROCESSING_ERROR")


def test_a_refused_connection_is_unreachable_for_every_call(mtn_momo_emulator):
    account = mtn_momo_emulator.account(base_url=closed_port_url())
    attempt_id, refund_id = uuid.uuid4(), uuid.uuid4()

    calls = [
        lambda: momo.initiate(account, charge_request()),
        lambda: momo.status(account, provider_ref=str(attempt_id), attempt_id=attempt_id),
        lambda: momo.refund(account, refund_request(str(attempt_id))),
        lambda: momo.refund_status(account, provider_ref=str(refund_id), refund_id=refund_id),
    ]

    for call in calls:
        with pytest.raises(Unreachable):
            call()


def test_a_lost_answer_is_an_unknown_outcome_while_the_payment_goes_on(mtn_momo_emulator, settings):
    account = mtn_momo_emulator.account()
    charge = charge_request()
    momo.initiate(account, charge_request())  # the token is fetched within the short timeout below
    mtn_momo_emulator.script(charge.payer_phone, "SUCCESSFUL", answer_delay=1.0)
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.3

    with pytest.raises(OutcomeUnknown):
        momo.initiate(account, charge)

    held = [held for held in mtn_momo_emulator.transactions() if held["reference_id"] == str(charge.attempt_id)]
    assert [(entry["external_id"], entry["requests"]) for entry in held] == [(str(charge.payment_id), 1)]
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 5
    again = momo.initiate(account, charge)
    assert again.provider_ref == str(charge.attempt_id)
    assert again.raw == {"status": 409, "code": "RESOURCE_ALREADY_EXIST"}
    mtn_momo_emulator.wait_until(lambda: momo.status(
        account, provider_ref=str(charge.attempt_id), attempt_id=charge.attempt_id).outcome is Outcome.SUCCEEDED)
    assert len(mtn_momo_emulator.transactions()) == 2


def test_a_token_serves_many_calls_of_its_product(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    first, second = charge_request(), charge_request()

    momo.initiate(account, first)
    momo.initiate(account, second)
    momo.status(account, provider_ref=str(first.attempt_id), attempt_id=first.attempt_id)

    assert mtn_momo_emulator.tokens_issued() == {"collection": 1, "disbursement": 0}
    assert len(mtn_momo_emulator.transactions()) == 2


def test_an_expired_token_is_replaced_once_and_the_call_goes_through(mtn_momo_emulator):
    account = mtn_momo_emulator.account()
    momo.initiate(account, charge_request())
    mtn_momo_emulator.expire_tokens()
    charge = charge_request()

    initiated = momo.initiate(account, charge)

    assert initiated.provider_ref == str(charge.attempt_id)
    assert mtn_momo_emulator.tokens_issued() == {"collection": 2, "disbursement": 0}
    assert [held["requests"] for held in mtn_momo_emulator.transactions()] == [1, 1]


def test_another_account_has_a_token_of_its_own(mtn_momo_emulator):
    momo.initiate(mtn_momo_emulator.account(), charge_request())

    momo.initiate(mtn_momo_emulator.account(id=uuid.uuid4()), charge_request())

    assert mtn_momo_emulator.tokens_issued() == {"collection": 2, "disbursement": 0}


def test_a_cached_token_is_refreshed_a_minute_before_it_expires():
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    fetched: list[str] = []

    def fetch() -> Token:
        fetched.append(f"token-{len(fetched) + 1}")
        return Token(value=fetched[-1], expires_at=now[0] + 120)

    key = ("account", "http://momo", "collection", "fingerprint")
    first = cache.get(key, fetch)
    now[0] += 59
    reused = cache.get(key, fetch)
    now[0] += 2  # 59 s left
    refreshed = cache.get(key, fetch)
    cache.forget(key, "token-1")  # a refusal of the old token does not drop the new one
    kept = cache.get(key, fetch)
    cache.forget(key, "token-2")
    replaced = cache.get(key, fetch)

    assert (first, reused, refreshed, kept, replaced) == ("token-1", "token-1", "token-2", "token-2", "token-3")


def test_credentials_appear_in_no_account_repr_and_no_error(mtn_momo_emulator):
    secrets = [SANDBOX_API_KEY, SANDBOX_COLLECTION_KEY, SANDBOX_DISBURSEMENT_KEY]
    account = mtn_momo_emulator.account()
    errors: list[ProviderError] = []
    mtn_momo_emulator.fail("/collection/v1_0/requesttopay", status=500)
    for call in [
        lambda: momo.initiate(account, charge_request()),
        lambda: momo.initiate(mtn_momo_emulator.account(api_user="00000000-0000-4000-8000-000000000000"),
                              charge_request()),
        lambda: momo.initiate(account, charge_request(currency="UGX")),
        lambda: momo.refund(mtn_momo_emulator.account(disbursement_subscription_key="wrong"),
                            refund_request(str(uuid.uuid4()))),
        lambda: momo.initiate(mtn_momo_emulator.account(base_url=closed_port_url()), charge_request()),
    ]:
        with pytest.raises(ProviderError) as raised:
            call()
        errors.append(raised.value)

    assert [type(error) for error in errors] == [OutcomeUnknown, Declined, Declined, Declined, Unreachable]
    shown = " ".join([str(account), repr(account), *(f"{error} {error!r} {error.args}" for error in errors)])
    assert [secret for secret in secrets if secret in shown] == []
    assert repr(Token(value="abc", expires_at=1.0)) == "Token(expires_at=1.0)"
