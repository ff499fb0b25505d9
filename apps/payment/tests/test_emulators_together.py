"""The demo's one emulator process: each provider under its prefix answers as it does on a server of its own."""

from __future__ import annotations

import uuid

import httpx
import pytest

from apps.payment.emulators.__main__ import combined_app
from apps.payment.providers import registry
from apps.payment.providers.base import Account, ChargeRequest, Environment, Outcome
from apps.payment.tests.fixtures.mpesa import MpesaEmulator
from apps.payment.tests.fixtures.mtn_momo import MtnMomoEmulator
from apps.payment.tests.fixtures.paypal import PaypalEmulator
from apps.payment.tests.fixtures.polling import first_truthy
from transport.emulators.serving import EmulatorServer


@pytest.fixture(scope="module")
def together():
    with EmulatorServer(combined_app(settle_seconds=0.2)) as server:
        yield server.base_url


def _account(fixture, base_url: str) -> Account:
    template = fixture.account()
    return Account(id=template.id, provider=template.provider, environment=Environment.SANDBOX, base_url=base_url,
                   credentials=template.credentials)


@pytest.mark.parametrize("provider, prefix, control, payer", [
    ("mpesa", "safaricom", MpesaEmulator, "254708374149"),  # Daraja's own paths start with /mpesa
    ("mtn_momo", "mtn_momo", MtnMomoEmulator, "46733123999")])
def test_a_phone_payment_settles_under_its_prefix(together, provider, prefix, control, payer):
    base = f"{together}/{prefix}"
    account = _account(control(base), base)
    client = registry.provider(provider)
    currency = "KES" if provider == "mpesa" else "EUR"
    charge = ChargeRequest(payment_id=uuid.uuid4(), attempt_id=uuid.uuid4(), reference="ABC12345",
                           description="Bus ticket", amount_minor=10000, currency=currency, payer_phone=payer,
                           callback_url="http://127.0.0.1:9/nobody-listens")

    initiated = client.initiate(account, charge)

    status = first_truthy(lambda: (s := client.status(account, provider_ref=initiated.provider_ref,
                                                      attempt_id=charge.attempt_id)).outcome == Outcome.SUCCEEDED
                          and s, timeout=10)
    assert status.provider_ref == initiated.provider_ref


def test_paypal_links_keep_the_prefix(together):
    base = f"{together}/paypal"
    account = _account(PaypalEmulator(base), base)
    charge = ChargeRequest(payment_id=uuid.uuid4(), attempt_id=uuid.uuid4(), reference="ABC12345",
                           description="Bus ticket", amount_minor=1155, currency="USD", payer_phone="",
                           callback_url="", return_url="https://tickets.example/paid",
                           cancel_url="https://tickets.example/cancelled")

    initiated = registry.provider("paypal").initiate(account, charge)

    assert initiated.next_action.url.startswith(f"{base}/")
    assert httpx.get(initiated.next_action.url, follow_redirects=False).status_code == 302
    assert httpx.get(f"{together}/elsewhere").status_code == 404
