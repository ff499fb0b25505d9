"""The PayPal provider as the registry offers it, and what it never shows of an account's credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.payment.providers.base import CredentialField, Declined, OutcomeUnknown
from apps.payment.providers.registry import identifiers
from apps.payment.tests.paypal.builders import charge, paid, paypal, refund_request


def test_the_registry_offers_paypal_as_the_core_expects_it():
    provider = paypal()

    assert "paypal" in identifiers()
    assert (provider.identifier, provider.verbose_name, provider.next_action_kind) == ("paypal", "PayPal", "redirect")
    assert (provider.first_poll_after, provider.window) == (timedelta(minutes=2), timedelta(hours=3))
    assert provider.credential_fields == (
        CredentialField("client_id", "Client ID", secret=False),
        CredentialField("client_secret", "Client secret", secret=True),
        CredentialField("webhook_id", "Webhook ID", secret=False),
    )


def test_an_account_shows_no_credentials(paypal_emulator):
    account = paypal_emulator.account(client_secret="EMsecretNeverShown")

    assert "EMsecretNeverShown" not in str(account)
    assert "EMsecretNeverShown" not in repr(account)
    assert "credentials" not in repr(account)


def test_errors_show_neither_the_secret_nor_the_token(paypal_emulator):
    account = paypal_emulator.account()
    _, payment = paid(paypal_emulator, account)
    paypal().refund(account, refund_request(payment))
    paypal_emulator.fail("/v2/checkout/orders", status=503)
    errors = []

    with pytest.raises(Declined) as refused:
        paypal().refund(account, refund_request(payment))
    errors.append(refused.value)
    with pytest.raises(OutcomeUnknown) as unknown:
        paypal().initiate(account, charge())
    errors.append(unknown.value)

    secret = account.credentials["client_secret"]
    for error in errors:
        for shown in (str(error), repr(error), str(error.args)):
            assert secret not in shown
            assert "Bearer" not in shown
            assert "A21AA" not in shown  # how PayPal's access tokens begin
    assert [(error.code, error.status) for error in errors] == [("CAPTURE_FULLY_REFUNDED", 422),
                                                                ("SERVICE_UNAVAILABLE", 503)]
