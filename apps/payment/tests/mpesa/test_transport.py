"""Tokens, transport failures and secrecy: what happens around the call rather than in it."""

from __future__ import annotations

import uuid

import pytest

from apps.payment.emulators import mpesa_state
from apps.payment.providers.base import Declined, OutcomeUnknown, ProviderError, RefundRequest, Unreachable
from apps.payment.providers.mpesa_http import tokens
from apps.payment.providers.mpesa_wire import credentials
from apps.payment.tests.fixtures.mpesa import MpesaEmulator
from apps.payment.tests.mpesa.helpers import TEST_PHONE, charge, closed_port, mpesa

PUSH = "/mpesa/stkpush/v1/processrequest"
QUERY = "/mpesa/stkpushquery/v1/query"
OAUTH = "/oauth/v1/generate"


def test_one_token_serves_every_call_of_an_account(mpesa_emulator, receiver):
    account = mpesa_emulator.account()

    initiated = mpesa.initiate(account, charge(receiver.url("cb")))
    mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())
    mpesa.initiate(account, charge(receiver.url("cb")))

    assert mpesa_emulator.requests() == {OAUTH: 1, PUSH: 2, QUERY: 1}


def test_an_expired_token_is_replaced_once_and_the_call_goes_through(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    mpesa.initiate(account, charge(receiver.url("cb")))
    mpesa_emulator.expire_tokens()

    initiated = mpesa.initiate(account, charge(receiver.url("cb")))

    assert mpesa_emulator.requests() == {OAUTH: 2, PUSH: 2}
    assert [t["id"] for t in mpesa_emulator.transactions()][-1] == initiated.provider_ref


def test_changed_credentials_fetch_a_token_of_their_own(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    mpesa.initiate(account, charge(receiver.url("cb")))

    with pytest.raises(Declined) as refused:
        mpesa.initiate(mpesa_emulator.account(account_id=account.id, consumer_secret="changed"),
                       charge(receiver.url("cb")))

    assert (refused.value.code, refused.value.status) == ("invalid_client", 400)
    assert mpesa_emulator.requests() == {OAUTH: 1, PUSH: 1}


def test_refused_consumer_credentials_are_declined_before_any_push(mpesa_emulator, receiver):
    with pytest.raises(Declined) as refused:
        mpesa.initiate(mpesa_emulator.account(consumer_key="someone-else"), charge(receiver.url("cb")))

    assert str(refused.value) == "M-Pesa refused the account's consumer key and secret."
    assert mpesa_emulator.transactions() == []


def test_refused_consumer_credentials_leave_a_payment_unknown_on_query(mpesa_emulator):
    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.status(mpesa_emulator.account(consumer_key="someone-else"), provider_ref="ws_CO_1",
                     attempt_id=uuid.uuid4())

    assert (unknown.value.code, unknown.value.status) == ("invalid_client", 400)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_the_push_is_an_unknown_outcome(mpesa_emulator, receiver, status):
    mpesa_emulator.fail(PUSH, status=status)

    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.initiate(mpesa_emulator.account(), charge(receiver.url("cb")))

    assert (unknown.value.code, unknown.value.status) == (f"{status}.003.01", status)
    assert mpesa_emulator.transactions() == []


def test_a_server_error_on_the_query_is_an_unknown_outcome_not_a_failure(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    initiated = mpesa.initiate(account, charge(receiver.url("cb")))
    mpesa_emulator.fail(QUERY, status=503)

    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.status(account, provider_ref=initiated.provider_ref, attempt_id=uuid.uuid4())

    assert unknown.value.status == 503


def test_a_failing_token_endpoint_means_nothing_was_sent(mpesa_emulator, receiver):
    mpesa_emulator.fail(OAUTH, status=503)

    with pytest.raises(Unreachable):
        mpesa.initiate(mpesa_emulator.account(), charge(receiver.url("cb")))

    assert mpesa_emulator.transactions() == []


def test_a_refused_connection_is_unreachable(receiver):
    account_url = f"http://127.0.0.1:{closed_port()}"
    account = MpesaEmulator(account_url).account()

    with pytest.raises(Unreachable):
        mpesa.initiate(account, charge(receiver.url("cb")))


def test_a_lost_push_answer_is_an_unknown_outcome_while_the_push_goes_on(mpesa_emulator, receiver, settings):
    settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS = 0.5
    account = mpesa_emulator.account()
    tokens.token(account, credentials(account))  # the token fetched within the short timeout too
    mpesa_emulator.script(TEST_PHONE, "success", answer_delay=1.5)

    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.initiate(account, charge(receiver.url("cb/lost")))

    assert "ReadTimeout" in str(unknown.value)
    [pushed] = mpesa_emulator.transactions()
    assert (pushed["kind"], pushed["payer"], pushed["amount"]) == ("stk_push", TEST_PHONE, 1500)
    [delivered] = mpesa_emulator.wait_until(lambda: receiver.received("cb/lost"))
    assert mpesa.callback_claim(delivered.body).provider_ref == pushed["id"]


def test_no_credential_or_token_shows_in_accounts_or_errors(mpesa_emulator, receiver):
    account = mpesa_emulator.account()
    secrets = [mpesa_state.SANDBOX_CONSUMER_KEY, mpesa_state.SANDBOX_CONSUMER_SECRET, mpesa_state.SANDBOX_PASSKEY,
               mpesa_state.SANDBOX_SECURITY_CREDENTIAL]
    token = tokens.token(account, credentials(account))
    errors: list[ProviderError] = []
    for call in [
        lambda: mpesa.initiate(mpesa_emulator.account(passkey="wrong-passkey"), charge(receiver.url("cb"))),
        lambda: mpesa.initiate(mpesa_emulator.account(consumer_secret="wrong-secret"), charge(receiver.url("cb"))),
        lambda: mpesa.initiate(account, charge(receiver.url("cb"), payer_phone="07")),
        lambda: mpesa.refund(account, RefundRequest(
            refund_id=uuid.uuid4(), provider_ref="ws_CO_1", transaction_id="NLJ7RT61SV", amount_minor=150000,
            currency="KES", payer=TEST_PHONE, result_url="no url")),
    ]:
        with pytest.raises(ProviderError) as caught:
            call()
        errors.append(caught.value)

    shown = [repr(account), str(account), repr(credentials(account)), str(credentials(account)),
             *(f"{e!s} {e!r} {e.code}" for e in errors)]
    for text in shown:
        for secret in [*secrets, token, "wrong-passkey", "wrong-secret"]:
            assert secret not in text
    assert [type(e) for e in errors] == [Declined, Declined, Declined, Declined]


def test_a_wrong_passkey_on_the_query_is_an_unknown_outcome_not_pending(mpesa_emulator, receiver):
    initiated = mpesa.initiate(mpesa_emulator.account(), charge(receiver.url("cb")))

    with pytest.raises(OutcomeUnknown) as unknown:
        mpesa.status(mpesa_emulator.account(passkey="not-the-passkey"), provider_ref=initiated.provider_ref,
                     attempt_id=uuid.uuid4())

    assert (unknown.value.code, unknown.value.status) == ("500.001.1001", 500)
